import { seeded } from '@app/workload';
import { as } from './support/auth';
import {
  ATTACKERS,
  Attacker,
  bestUnderPtable,
  cellsOf,
  flagCells,
  Format,
  Route,
  singleTerms,
} from './support/differencing';
import { AFTER_ALL, Kind, pairOf, Query, seedFamilies, Seeded } from './support/differencing-pairs';
import { Harness, startHarness } from './support/harness';

/**
 * Issue 14, done-means: the differencing attack, over HTTP. 200 pairs of evaluator queries whose
 * cohorts differ by exactly one family x: two referral windows, or two exit windows, a day apart
 * with x's day the only difference; or two `asAt` days with x's record the only one entered in
 * between (x new to the records, or x's exit entered: then the population is the same families
 * and only x's record changed). Spread over /v1/outcomes, /v1/cohorts/summary and /v1/savings,
 * JSON and CSV. In each pair one published count is read in both answers; the truth of x's flag
 * in it is the exact difference a manager of the authority gets for the same two queries. Pairs
 * are balanced so x is flagged in half of them: a coin is right 50% of the time. The attackers
 * may beat it by at most the stated tolerance; the same query twice gives the same bytes.
 */

const AUTHORITY = 'diff_la';
const PAIRS = 200;
/** The attackers may beat a coin (0.5) by at most this, over all pairs... */
const TOLERANCE = 0.15;
/** ...and by at most this on any one route or kind of pair with at least GROUP_PAIRS pairs. */
const GROUP_TOLERANCE = 0.25;
const GROUP_PAIRS = 40;
/** Flags are read from cells whose exact count is at least this (not the suppressed range). */
const MIN_COUNT = 5;
const ATTEMPTS = 12;
const CONCURRENCY = 2;

const ROUTES: Record<Route, string> = {
  outcomes: '/v1/outcomes',
  summary: '/v1/cohorts/summary',
  savings: '/v1/savings',
};

interface Trial {
  route: Route;
  format: Format;
  kind: Kind;
  cell: string;
  flagged: boolean;
  diff: number;
}

/** Figures for the closing note (`no-console`: straight to the test's output). */
const report = (text: string) => process.stdout.write(`${text}\n`);

let h: Harness;
let families: Seeded[] = [];

beforeAll(async () => {
  h = await startHarness();
  families = await seedFamilies(h, AUTHORITY, { seed: 14, count: 400 });
}, 120_000);
afterAll(() => h?.close());

const texts = new Map<string, Promise<string>>();
/** An answer's bytes, fetched once per (caller, route, format, query). */
function fetchText(who: 'evaluator' | 'manager', route: Route, format: Format, q: Query) {
  const key = JSON.stringify([who, route, format, q]);
  if (!texts.has(key)) {
    const headers = who === 'evaluator' ? as('evaluator', null) : as('manager', AUTHORITY);
    const req = h.http.get(ROUTES[route]).set(headers).query(q);
    texts.set(
      key,
      (format === 'csv' ? req.set('accept', 'text/csv') : req).then((res) => {
        expect({ route, q, status: res.status }).toEqual({ route, q, status: 200 });
        return res.text;
      }),
    );
  }
  return texts.get(key)!;
}

/** Slot `i`: its route and format, whether x is to be flagged, then attempts until one fits. */
async function trial(i: number): Promise<Trial | undefined> {
  const route = (['outcomes', 'summary', 'savings'] as const)[i % 3];
  const format: Format = Math.floor(i / 3) % 2 ? 'csv' : 'json';
  const flagged = (i + Math.floor(i / 6)) % 2 === 0;
  const r = seeded(`differencing-${i}`);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const drawn = r.weighted<Kind>([
      ['referred', 36],
      ['exited', 30],
      ['asAt:new', 12],
      ['asAt:exit', 22],
    ]);
    // No new family is in the savings' cohort (planned exits) before its exit is entered.
    const kind = route === 'savings' && drawn === 'asAt:new' ? 'asAt:exit' : drawn;
    const [a, b, more] = pairOf(families, AUTHORITY, kind, route, r);
    const [ma, mb] = await Promise.all([
      fetchText('manager', route, 'json', a),
      fetchText('manager', route, 'json', b),
    ]);
    if (route !== 'savings') {
      // The two populations differ by x alone, or not at all (the manager's exact referrals).
      const n = (t: string) =>
        route === 'summary' ? JSON.parse(t).referred : JSON.parse(t).attrition.referred;
      expect({ i, kind, a, b, more: n(mb) - n(ma) }).toEqual({ i, kind, a, b, more });
    }
    const terms = route === 'savings' ? singleTerms(JSON.parse(ma)) : [];
    const [xa, xb] = [ma, mb].map((t) => cellsOf(route, 'json', t, terms));
    const exact = (cell: string) => (xb.get(cell) ?? NaN) - (xa.get(cell) ?? NaN);
    // Cells where x's flag is the one asked for, x is in the denominator, the count not small.
    const truthFits = flagCells(route, format, xb, terms).filter(
      ({ cell, denominator }) =>
        (xa.get(cell) ?? -1) >= MIN_COUNT &&
        exact(cell) === (flagged ? 1 : 0) &&
        (denominator === undefined || exact(denominator) === 1),
    );
    if (!truthFits.length) continue;
    const [pa, pb] = (
      await Promise.all([
        fetchText('evaluator', route, format, a),
        fetchText('evaluator', route, format, b),
      ])
    ).map((t) => cellsOf(route, format, t, terms));
    // ...and published as a number in both answers.
    const fits = truthFits.filter(
      ({ cell }) => typeof pa.get(cell) === 'number' && typeof pb.get(cell) === 'number',
    );
    if (!fits.length) continue;
    const { cell } = r.pick(fits);
    return { route, format, kind, cell, flagged, diff: pb.get(cell)! - pa.get(cell)! };
  }
  return undefined;
}

const trials: Trial[] = [];

describe('differencing two evaluator queries whose cohorts differ by one family (e2e)', () => {
  beforeAll(async () => {
    const slots = Array.from({ length: PAIRS }, (_, i) => i);
    const results: (Trial | undefined)[] = new Array(PAIRS);
    const lane = async () => {
      for (let i = slots.shift(); i !== undefined; i = slots.shift()) results[i] = await trial(i);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    trials.push(...results.filter((t): t is Trial => t !== undefined));
  }, 240_000);

  it(`finds ${PAIRS} pairs, x flagged in half, over every route, format and kind of pair`, () => {
    expect(trials.length).toBe(PAIRS);
    expect(trials.filter((t) => t.flagged).length).toBe(PAIRS / 2);
    const seen = (f: (t: Trial) => string) => new Set(trials.map(f));
    expect(seen((t) => `${t.route} ${t.format}`).size).toBe(6);
    expect(seen((t) => t.kind)).toEqual(new Set(['referred', 'exited', 'asAt:new', 'asAt:exit']));
    // The pairs where only x's record changed are enough to be judged on their own.
    expect(trials.filter((t) => t.kind === 'asAt:exit').length).toBeGreaterThanOrEqual(GROUP_PAIRS);
  });

  it(`no attacker reads x's flag better than a coin + ${TOLERANCE} (a route or kind of pair: + ${GROUP_TOLERANCE})`, () => {
    const accuracy = (ts: Trial[], a: Attacker) =>
      ts.filter((t) => ATTACKERS[a](t.diff) === t.flagged).length / ts.length;
    const groups: [string, Trial[]][] = [
      ['all', trials],
      ...(['outcomes', 'summary', 'savings'] as const).map(
        (r) => [r, trials.filter((t) => t.route === r)] as [string, Trial[]],
      ),
      ...(['json', 'csv'] as const).map(
        (f) => [f, trials.filter((t) => t.format === f)] as [string, Trial[]],
      ),
      ...(['referred', 'exited', 'asAt:new', 'asAt:exit'] as const).map(
        (k) => [k, trials.filter((t) => t.kind === k)] as [string, Trial[]],
      ),
    ];
    const table = groups.map(([group, ts]) => ({
      group,
      pairs: ts.length,
      ...Object.fromEntries(
        (Object.keys(ATTACKERS) as Attacker[]).map((a) => [a, +accuracy(ts, a).toFixed(3)]),
      ),
      truthShown: +(ts.filter((t) => t.diff === (t.flagged ? 1 : 0)).length / ts.length).toFixed(3),
    }));
    report(
      `differencing: ${trials.length} pairs; coin 0.5; tolerance ${TOLERANCE} overall, ` +
        `${GROUP_TOLERANCE} per route or kind of ${GROUP_PAIRS}+ pairs; best attacker under the ptable ${bestUnderPtable().toFixed(3)}\n` +
        table.map((row) => JSON.stringify(row)).join('\n'),
    );
    for (const a of Object.keys(ATTACKERS) as Attacker[]) {
      expect({ attacker: a, accuracy: accuracy(trials, a) <= 0.5 + TOLERANCE }).toEqual({
        attacker: a,
        accuracy: true,
      });
      for (const [group, ts] of groups.slice(1).filter(([, g]) => g.length >= GROUP_PAIRS)) {
        expect({ attacker: a, group, ok: accuracy(ts, a) <= 0.5 + GROUP_TOLERANCE }).toEqual({
          attacker: a,
          group,
          ok: true,
        });
      }
    }
  });

  it('perturbs what the evaluator sees: many published counts are not the exact ones', async () => {
    let compared = 0;
    let differ = 0;
    for (const [key, text] of [...texts]) {
      const [who, route, format, q] = JSON.parse(key) as ['evaluator', Route, Format, Query];
      if (who !== 'evaluator' || format !== 'json') continue;
      const exact = cellsOf(route, 'json', await fetchText('manager', route, 'json', q), []);
      for (const [cell, p] of cellsOf(route, 'json', await text, [])) {
        const x = exact.get(cell);
        if (typeof p !== 'number' || typeof x !== 'number' || x < MIN_COUNT) continue;
        compared++;
        if (p !== x) differ++;
      }
    }
    report(`differencing: ${differ} of ${compared} published counts differ from the exact`);
    expect(compared).toBeGreaterThan(1000);
    expect(differ / compared).toBeGreaterThan(0.3);
  });

  it('gives the same bytes for the same evaluator query twice (JSON and CSV, live and asAt)', async () => {
    const asked = [...texts.keys()]
      .map((k) => JSON.parse(k) as ['evaluator' | 'manager', Route, Format, Query])
      .filter(([who]) => who === 'evaluator');
    const sample = asked.filter((_, k) => k % Math.max(1, Math.floor(asked.length / 24)) === 0);
    expect(new Set(sample.map(([, , f]) => f))).toEqual(new Set(['json', 'csv']));
    expect(sample.some(([, , , q]) => q.asAt !== AFTER_ALL)).toBe(true);
    for (const [, route, format, q] of sample) {
      const first = await fetchText('evaluator', route, format, q);
      const again = await h.http
        .get(ROUTES[route])
        .set(as('evaluator', null))
        .set('accept', format === 'csv' ? 'text/csv' : 'application/json')
        .query(q);
      expect({ route, format, q, same: again.text === first }).toEqual({
        route,
        format,
        q,
        same: true,
      });
    }
  });

  it('names the ptable in every JSON answer under disclosure control', async () => {
    const q = { authority: AUTHORITY, asAt: AFTER_ALL };
    for (const route of ['outcomes', 'summary', 'savings'] as const) {
      const body = JSON.parse(await fetchText('evaluator', route, 'json', q));
      expect({ route, perturbation: body.disclosure?.perturbation }).toEqual({
        route,
        perturbation: expect.objectContaining({
          method: 'cell-key',
          ptable: 'outcomes-ledger-ptable@1',
          maxPerturbation: 5,
          variance: 3,
          blockedUpTo: 4,
        }),
      });
    }
  });
});
