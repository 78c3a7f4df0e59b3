import { seeded } from '@app/workload/random';
import { generatePtable, perturb, Ptable, ptableRow, stationaryRow } from './ptable';
import { PTABLE_V1, PTABLE_V1_NAME, PTABLE_V1_PARAMS } from './ptable-v1';
import { cellKey, KEY_SCALE, recordKey, scopedCellKey } from './record-key';

const { maxPerturbation: D, variance: V, blockedUpTo: JS } = PTABLE_V1_PARAMS;
/** Rows checked: all stored rows and well beyond, where the last row is reused shifted. */
const COUNTS = Array.from({ length: 61 }, (_, i) => i);

const rowMoments = (table: Ptable, i: number) => {
  let mean = 0;
  let second = 0;
  for (const t of ptableRow(table, i).transitions) {
    const p = t.weight / KEY_SCALE;
    mean += p * (t.perturbed - i);
    second += p * (t.perturbed - i) ** 2;
  }
  return { mean, variance: second - mean * mean };
};

describe('PTABLE_V1', () => {
  it('names itself and its parameters for provenance', () => {
    expect(PTABLE_V1.id).toBe('outcomes-ledger-ptable@1');
    expect(PTABLE_V1.params).toEqual({ maxPerturbation: 5, variance: 3, blockedUpTo: 4 });
    expect(PTABLE_V1.stationaryFrom).toBe(stationaryRow(PTABLE_V1_PARAMS));
  });

  it('is the data the documented generator gives (to 2 parts in 2^32 per entry)', () => {
    const regenerated = generatePtable(PTABLE_V1_NAME, 1, PTABLE_V1_PARAMS);
    expect(regenerated.id).toBe(PTABLE_V1.id);
    expect(regenerated.rows.length).toBe(PTABLE_V1.rows.length);
    regenerated.rows.forEach((row, i) => {
      const frozen = PTABLE_V1.rows[i];
      expect(row.transitions.map((t) => t.perturbed)).toEqual(
        frozen.transitions.map((t) => t.perturbed),
      );
      row.transitions.forEach((t, k) => {
        expect(Math.abs(t.weight - frozen.transitions[k].weight)).toBeLessThanOrEqual(2);
      });
    });
  });

  it.each(COUNTS)('row %i sums to exactly 1 and lists published counts in order', (i) => {
    const row = ptableRow(PTABLE_V1, i);
    expect(row.transitions.reduce((s, t) => s + t.weight, 0)).toBe(KEY_SCALE);
    const js = row.transitions.map((t) => t.perturbed);
    expect(js).toEqual([...js].sort((a, b) => a - b));
    row.transitions.forEach((t) => expect(Number.isInteger(t.weight) && t.weight > 0).toBe(true));
  });

  it('keeps zeros zero', () => {
    expect(ptableRow(PTABLE_V1, 0).transitions).toEqual([{ perturbed: 0, weight: KEY_SCALE }]);
    for (const key of [0, 0.25, 0.5, 1 - 2 ** -32]) expect(perturb(0, key, PTABLE_V1)).toBe(0);
  });

  it(`never moves a count by more than D = ${D}, never publishes 1..${JS}, never goes negative`, () => {
    for (const i of COUNTS) {
      for (const t of ptableRow(PTABLE_V1, i).transitions) {
        expect(Math.abs(t.perturbed - i)).toBeLessThanOrEqual(D);
        expect(t.perturbed === 0 || t.perturbed > JS).toBe(true);
      }
    }
  });

  it('is unbiased in every row (mean perturbation 0 within the 2^-32 weight rounding)', () => {
    for (const i of COUNTS) expect(Math.abs(rowMoments(PTABLE_V1, i).mean)).toBeLessThan(1e-8);
  });

  it(`has variance V = ${V} from count ${JS + 1} up; counts 1..${JS} carry the least variance the blocking allows`, () => {
    for (const i of COUNTS.filter((c) => c > JS)) {
      expect(rowMoments(PTABLE_V1, i).variance).toBeCloseTo(V, 6);
    }
    // Counts 1..4 can only go to 0 or to 5: the unbiased two-point rows, variance i·(5 − i).
    expect([1, 2, 3, 4].map((i) => rowMoments(PTABLE_V1, i).variance)).toEqual(
      [4, 6, 6, 4].map((v) => expect.closeTo(v, 6)),
    );
    expect(
      ptableRow(PTABLE_V1, 1).transitions.map((t) => [t.perturbed, t.weight / KEY_SCALE]),
    ).toEqual([
      [0, expect.closeTo(0.8, 9)],
      [5, expect.closeTo(0.2, 9)],
    ]);
  });
});

describe('perturb', () => {
  it('picks the interval of the cumulative row the key falls in', () => {
    const row = ptableRow(PTABLE_V1, 12).transitions;
    let lower = 0;
    for (const t of row) {
      expect(perturb(12, lower / KEY_SCALE, PTABLE_V1)).toBe(t.perturbed);
      expect(perturb(12, (lower + t.weight - 1) / KEY_SCALE, PTABLE_V1)).toBe(t.perturbed);
      lower += t.weight;
    }
  });

  it('gives each published count with its row probability over evenly spread keys', () => {
    const grid = 100_000;
    const seen = new Map<number, number>();
    for (let k = 0; k < grid; k++) {
      const key = Math.floor((k / grid) * KEY_SCALE) / KEY_SCALE;
      const j = perturb(25, key, PTABLE_V1);
      seen.set(j, (seen.get(j) ?? 0) + 1);
    }
    for (const t of ptableRow(PTABLE_V1, 25).transitions) {
      expect((seen.get(t.perturbed) ?? 0) / grid).toBeCloseTo(t.weight / KEY_SCALE, 4);
    }
  });

  it('is deterministic: the same (count, key) always gives the same published count', () => {
    const keys = Array.from({ length: 50 }, (_, k) =>
      recordKey('determinism-secret-0123', `e${k}`),
    );
    const key = cellKey(keys);
    const first = COUNTS.map((i) => perturb(i, key, PTABLE_V1));
    const again = COUNTS.map((i) => perturb(i, cellKey([...keys].reverse()), PTABLE_V1));
    expect(again).toEqual(first);
  });

  it('refuses a bad count or key', () => {
    expect(() => perturb(-1, 0.5, PTABLE_V1)).toThrow(/whole number, at least 0/);
    expect(() => perturb(2.5, 0.5, PTABLE_V1)).toThrow(/whole number/);
    expect(() => perturb(3, 1, PTABLE_V1)).toThrow(/cell key/);
    expect(() => perturb(3, 0.1, PTABLE_V1)).toThrow(/cell key/);
  });
});

describe('generatePtable', () => {
  it.each([
    [{ maxPerturbation: 0, variance: 1, blockedUpTo: 0 }, /maxPerturbation \(D\)/],
    [{ maxPerturbation: 3, variance: 1, blockedUpTo: 4 }, /must exceed blockedUpTo/],
    [{ maxPerturbation: 5, variance: 0, blockedUpTo: 4 }, /variance \(V\)/],
    [{ maxPerturbation: 5, variance: 25, blockedUpTo: 4 }, /variance \(V\)/],
    [{ maxPerturbation: 5, variance: 3, blockedUpTo: -1 }, /blockedUpTo \(js\)/],
  ])('refuses bad parameters %o, naming the parameter', (params, message) => {
    expect(() => generatePtable('t', 1, params)).toThrow(message);
  });

  it('meets its properties for other parameters too (D = 3, V = 1, js = 2)', () => {
    const table = generatePtable('t', 1, { maxPerturbation: 3, variance: 1, blockedUpTo: 2 });
    for (let i = 0; i <= 30; i++) {
      const row = ptableRow(table, i);
      expect(row.transitions.reduce((s, t) => s + t.weight, 0)).toBe(KEY_SCALE);
      expect(Math.abs(rowMoments(table, i).mean)).toBeLessThan(1e-8);
      if (i > 2) expect(rowMoments(table, i).variance).toBeCloseTo(1, 6);
      for (const t of row.transitions) {
        expect(Math.abs(t.perturbed - i)).toBeLessThanOrEqual(3);
        expect([1, 2]).not.toContain(t.perturbed);
      }
    }
  });
});

/**
 * The differencing attack of issue 14: two queries whose cohorts differ by one family x; the
 * attacker reads the published "flagged" cell of each and guesses whether x is flagged. x is
 * flagged with probability 1/2, so a coin is right half the time.
 */
describe('differencing two cells that differ by one record', () => {
  const SECRET = 'differencing-secret-0123456789';
  const TRIALS = 4000;
  /** Stated tolerance: the attacker may beat a coin (0.5) by at most this much. */
  const TOLERANCE = 0.1;

  // The best possible attacker's rule, from the published ptable itself: the difference of two
  // independently perturbed counts, with and without x's +1.
  const stationary = PTABLE_V1.rows[PTABLE_V1.stationaryFrom].transitions.map(
    (t) => [t.perturbed - PTABLE_V1.stationaryFrom, t.weight / KEY_SCALE] as const,
  );
  const noiseDiff = new Map<number, number>();
  for (const [d1, p1] of stationary)
    for (const [d2, p2] of stationary)
      noiseDiff.set(d2 - d1, (noiseDiff.get(d2 - d1) ?? 0) + p1 * p2);
  const likelihood = (diff: number, flagged: boolean) =>
    noiseDiff.get(flagged ? diff - 1 : diff) ?? 0;
  const bayesGuess = (diff: number) => likelihood(diff, true) > likelihood(diff, false);
  // Its exact success rate: 1/2 + (total variation distance)/2.
  let tv = 0;
  for (let diff = -2 * D - 1; diff <= 2 * D + 1; diff++) {
    tv += Math.abs(likelihood(diff, true) - likelihood(diff, false));
  }
  const bayesExact = 0.5 + tv / 4;

  function simulate(scoped: boolean) {
    const random = seeded(`differencing-${scoped}`);
    let next = 0;
    const key = () => recordKey(SECRET, `episode-${next++}`);
    let bayesRight = 0;
    let naiveRight = 0;
    let truthShown = 0;
    let unchangedWhenNotFlagged = 0;
    let notFlagged = 0;
    let changeRight = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      // A cohort of 40–300 families, at least 10 of them flagged (so rows beyond the small counts).
      const size = 40 + random.int(261);
      const cohort = Array.from({ length: size }, () => ({
        key: key(),
        flagged: random.chance(0.3),
      }));
      for (let k = 0; k < 10; k++) cohort[k].flagged = true;
      const x = { key: key(), flagged: random.chance(0.5) };
      const publish = (families: typeof cohort) => {
        const flagged = families.filter((f) => f.flagged).map((f) => f.key);
        const k = scoped
          ? scopedCellKey(flagged, cellKey(families.map((f) => f.key)))
          : cellKey(flagged);
        return perturb(flagged.length, k, PTABLE_V1);
      };
      const diff = publish([...cohort, x]) - publish(cohort);
      if (bayesGuess(diff) === x.flagged) bayesRight++;
      if (diff >= 1 === x.flagged) naiveRight++;
      if (diff === (x.flagged ? 1 : 0)) truthShown++;
      if ((diff !== 0) === x.flagged) changeRight++;
      if (!x.flagged) notFlagged++;
      if (!x.flagged && diff === 0) unchangedWhenNotFlagged++;
    }
    return {
      bayes: bayesRight / TRIALS,
      naive: naiveRight / TRIALS,
      truthShown: truthShown / TRIALS,
      change: changeRight / TRIALS,
      unchangedWhenNotFlagged,
      notFlagged,
    };
  }

  it(`with cohort-scoped keys no attacker beats a coin by more than ${TOLERANCE}`, () => {
    expect(bayesExact).toBeLessThan(0.5 + TOLERANCE);
    const r = simulate(true);
    // The simulation agrees with the exact figure (4,000 trials: standard error 0.008).
    expect(Math.abs(r.bayes - bayesExact)).toBeLessThan(0.03);
    expect(r.bayes).toBeLessThan(0.5 + TOLERANCE);
    // Reading the difference as the truth ("went up, so flagged") does no better.
    expect(r.naive).toBeLessThan(0.5 + TOLERANCE);
    // Nor does watching whether the cell changed at all.
    expect(r.change).toBeLessThan(0.5 + TOLERANCE);
    // The published difference is the true one far less often than without perturbation (always).
    expect(r.truthShown).toBeLessThan(0.3);
  });

  it('with plain (unscoped) cell keys the magnitude is protected but an unchanged cell gives x away', () => {
    const r = simulate(false);
    // The difference is no longer the truth when x is in the cell...
    expect(r.truthShown).toBeLessThan(0.65);
    // ...but a cell over the same families is published the same, so "unchanged" means x is not
    // in it: the best attacker is right far more often than a coin. This is why returns and
    // endpoints should key cells within their cohort (scopedCellKey), or restrict differencing.
    expect(r.unchangedWhenNotFlagged).toBe(r.notFlagged);
    expect(r.change).toBeGreaterThan(0.85);
  });
});
