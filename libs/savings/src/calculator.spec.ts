import { loadDefinitions } from '@app/outcomes';
import {
  SavingsOptionInvalid,
  computeSavings,
  episodeTransitions,
  resolveTable,
} from './calculator';
import { DomainTransitions } from './figures';
import { formatPence, formatRatio, parsePenceString, roundDiv } from './money';
import { buildRegistry, checkMappings, loadCostRegistry } from './registry';
import { UnitCostsInvalid, parsePounds } from './tables';
import {
  ROTHERHAM_AVERAGE_PRINTED,
  ROTHERHAM_CASES,
  ROTHERHAM_OUTCOMES,
  ROTHERHAM_TOTAL,
} from './testing/rotherham';
import { WORKED_DOMAINS, workedIndex, workedTable } from './testing/worked';

const registry = buildRegistry([
  { name: 'worked.v1', raw: workedTable(1) },
  { name: 'worked.v2', raw: workedTable(2) },
  { name: 'index', raw: workedIndex },
]);

/** Transitions baseline → exit per domain: [improved, worsened, pairs]; none one year on. */
function cohort(counts: Record<string, [number, number, number]>): DomainTransitions[] {
  return WORKED_DOMAINS.map((domain) => {
    const [improved, worsened, pairs] = counts[domain] ?? [0, 0, 0];
    return {
      domain,
      baselineToExit: { improved, worsened, pairs },
      baselineToFollowUp: { improved: 0, worsened: 0, pairs: 0 },
    };
  });
}

/** Ten families: two schools and four tenancies better net, children kept out of care, ASB down. */
const TEN = cohort({
  school: [3, 1, 10],
  care: [2, 0, 10],
  siblings_care: [1, 0, 10],
  housing: [4, 1, 10],
  asb: [5, 0, 10],
});

describe('the calculator on a worked table', () => {
  const { table, index } = resolveTable(registry, 'worked-check@1');

  it('prices net families × quantity × unit cost, per outcome, per agency and in total', () => {
    const figures = computeSavings({ table, index, families: 10, domains: TEN });
    // By hand: exclusions (3 − 1) × 12,000; care weeks (2 × 26 + 1 × 104) × 500;
    // evictions (4 − 1) × 6,500; police calls 5 × 4 × 280.55.
    const want = { education: 24000, social_care: 78000, housing: 19500, police: 5611 };
    for (const [agency, pounds] of Object.entries(want)) {
      expect([agency, figures.perAgency.find((a) => a.agency === agency)!.baselineToExit]).toEqual([
        agency,
        pounds.toFixed(2),
      ]);
    }
    expect(figures.total.baselineToExit).toBe('127111.00');
    expect(figures.perFamily.baselineToExit).toBe('12711.10');
    // Nothing was assessed one year on: no follow-up saving is claimed.
    expect(figures.total.baselineToFollowUp).toBe('0.00');
    expect(figures.upliftFactor).toBe('1.000000');
    expect(figures.figures).toBe('gross');
  });

  it('rounds a mean half away from zero, to the penny', () => {
    expect(roundDiv(28995301n, 6n)).toBe(4832550n);
    expect(roundDiv(5n, 2n)).toBe(3n);
    expect(roundDiv(-5n, 2n)).toBe(-3n);
    expect(formatRatio(2n, 3n, 2)).toBe('0.67');
  });

  it('another version of the unit-cost table changes the figure and says which version it used', () => {
    const v2 = resolveTable(registry, 'worked-check@2');
    const figures = computeSavings({ ...v2, families: 10, domains: TEN });
    // Two exclusions avoided net, each now £1,000 dearer.
    expect(figures.total.baselineToExit).toBe('129111.00');
    expect(figures.unitCostTable).toEqual({ id: 'worked-check', version: 2 });
    const v1 = computeSavings({ table, index, families: 10, domains: TEN });
    expect(v1.unitCostTable).toEqual({ id: 'worked-check', version: 1 });
  });

  it('uplifts every row to the target price year and shows the factor', () => {
    const figures = computeSavings({
      table,
      index,
      targetPriceYear: 2011,
      families: 10,
      domains: TEN,
    });
    expect(figures).toMatchObject({
      priceYear: 2010,
      targetPriceYear: 2011,
      upliftFactor: '1.100000',
    });
    const police = figures.perOutcome.find((l) => l.outcome === 'police_call')!;
    // 280.55 × 1.1 = 308.605, half away from zero.
    expect(police).toMatchObject({
      cost: '280.55',
      upliftFactor: '1.100000',
      upliftedCost: '308.61',
    });
    // Independently: each row's cost × 1.1 rounded to the penny, times the units avoided.
    const units: Record<string, number> = {
      exclusion: 2,
      care_week: 156,
      eviction: 3,
      police_call: 20,
    };
    const expected = table.rows.reduce(
      (s, r) => s + Math.round(Number(r.costPence) * 1.1) * units[r.outcome],
      0,
    );
    expect(parsePenceString(figures.total.baselineToExit)).toBe(BigInt(expected));
  });

  it('counts a condition that appeared as a cost, not a saving', () => {
    const worse = episodeTransitions(
      { paired: 1n << 3n, baseline: 0n, end: 1n << 3n, followUpAssessed: 0n, followUp: 0n },
      WORKED_DOMAINS,
    );
    const figures = computeSavings({ table, index, families: 1, domains: worse });
    expect(figures.total.baselineToExit).toBe('-6500.00');
    expect(figures.perAgency.find((a) => a.agency === 'housing')!.baselineToExit).toBe('-6500.00');
  });

  it('return on spend is gross £ avoided per £1 of programme cost, none without a cost', () => {
    const figures = computeSavings({
      table,
      index,
      families: 10,
      domains: TEN,
      programmeCost: { pence: 4237033n, basis: { window: 'w' } },
    });
    expect(figures.programmeCost).toEqual({ window: 'w', amount: '42370.33' });
    expect(figures.returnOnSpend).toEqual({ baselineToExit: '3.00', baselineToFollowUp: '0.00' });
    const unknown = computeSavings({
      table,
      index,
      families: 10,
      domains: TEN,
      programmeCost: { pence: null, basis: { reason: 'no window' } },
    });
    expect(unknown.returnOnSpend).toEqual({ baselineToExit: null, baselineToFollowUp: null });
    expect(unknown.programmeCost).toEqual({ reason: 'no window', amount: null });
  });

  it('refuses a price year outside the index and an unknown table, naming the option', () => {
    const attempt = () =>
      computeSavings({ table, index, targetPriceYear: 2031, families: 0, domains: [] });
    expect(attempt).toThrow(SavingsOptionInvalid);
    expect(attempt).toThrow(/priceYear 2031 is outside price index worked-index@1 \(2010–2011\)/);
    expect(() => resolveTable(registry, 'worked-check@9')).toThrow(
      expect.objectContaining({ field: 'unitCosts', rule: 'known_unit_cost_table' }),
    );
  });
});

/**
 * What seed 002 supports: six cases, each a list of outcomes avoided and one total; the total
 * of the six and their average. It gives no unit cost, so no case's saving is reproduced from
 * unit costs here (a table fitted to the six totals would reproduce them whatever it held).
 */
describe('Rotherham (seed 002, DOMAIN.md section 4)', () => {
  const natcen = loadDefinitions();
  const vocabulary = new Map(ROTHERHAM_OUTCOMES.map((o) => [o.id, o]));

  it('the six published savings add up to the published total, and its average', () => {
    const total = ROTHERHAM_CASES.reduce((s, c) => s + parsePounds(c.published), 0n);
    expect(formatPence(total)).toBe(ROTHERHAM_TOTAL);
    // The calculator's per-family rule (half away from zero, to the penny) on that total:
    const mean = roundDiv(total, BigInt(ROTHERHAM_CASES.length));
    expect(formatPence(mean)).toBe('48325.50');
    // The seed prints the average to the pound ("an average of £48,325 per case").
    expect((mean / 100n).toString()).toBe(ROTHERHAM_AVERAGE_PRINTED);
  });

  it('names every outcome a case lists in the vocabulary, each with a domain or none', () => {
    for (const c of ROTHERHAM_CASES) {
      for (const o of c.avoided) expect([c.name, vocabulary.has(o)]).toEqual([c.name, true]);
    }
    for (const o of ROTHERHAM_OUTCOMES.filter((o) => o.domain)) {
      const domain = natcen.domains.find((d) => d.id === o.domain);
      expect([o.id, domain?.lowerIsBetter]).toEqual([o.id, true]);
    }
  });

  it('a case as an episode: the ledger counts the outcomes it records, and says which it cannot', () => {
    const ids = natcen.domains.map((d) => d.id);
    const countable = (c: (typeof ROTHERHAM_CASES)[number]) =>
      c.avoided.map((o) => vocabulary.get(o)!.domain).filter((d): d is string => d !== null);
    const seen = ROTHERHAM_CASES.map((c) => {
      const bits = countable(c).reduce((m, d) => m | (1n << BigInt(ids.indexOf(d))), 0n);
      const t = episodeTransitions(
        {
          paired: (1n << BigInt(ids.length)) - 1n,
          baseline: bits,
          end: 0n,
          followUpAssessed: 0n,
          followUp: 0n,
        },
        ids,
      );
      return {
        name: c.name,
        improved: t.filter((d) => d.baselineToExit.improved === 1).map((d) => d.domain),
        notRecorded: c.avoided.filter((o) => vocabulary.get(o)!.domain === null),
      };
    });
    expect(seen).toEqual([
      {
        name: 'A',
        improved: ['persistent_absence'],
        notRecorded: ['social_exclusion', 'social_care_referral'],
      },
      {
        name: 'B',
        improved: ['asb_4_plus', 'truancy_exclusion_behaviour', 'child_protection'],
        notRecorded: ['family_breakdown'],
      },
      {
        name: 'C',
        improved: ['housing_enforcement', 'truancy_exclusion_behaviour'],
        notRecorded: ['criminal_justice', 'family_breakdown'],
      },
      { name: 'D', improved: ['child_protection'], notRecorded: ['mental_health'] },
      {
        name: 'E',
        improved: ['drug_alcohol'],
        notRecorded: ['homelessness', 'neet', 'pregnancy', 'exploitation'],
      },
      { name: 'F', improved: ['child_protection'], notRecorded: ['family_breakdown'] },
    ]);
  });
});

describe('one-year-on pairs', () => {
  it('need the end point as well, as in the outcomes table', () => {
    const bit = 1n << 1n;
    const [, t] = episodeTransitions(
      { paired: 0n, baseline: bit, end: 0n, followUpAssessed: bit, followUp: 0n },
      ['a', 'b'],
    );
    expect(t.baselineToFollowUp).toEqual({ improved: 0, worsened: 0, pairs: 0 });
    const [, kept] = episodeTransitions(
      { paired: bit, baseline: bit, end: 0n, followUpAssessed: bit, followUp: 0n },
      ['a', 'b'],
    );
    expect(kept.baselineToFollowUp).toEqual({ improved: 1, worsened: 0, pairs: 1 });
  });
});

describe('the shipped unit-cost table', () => {
  const shipped = loadCostRegistry();
  const { table, index } = resolveTable(shipped);
  const natcen = loadDefinitions();

  it('is uk-unit-costs@1 with a source and evidence for every row', () => {
    expect(shipped.defaultTable).toBe('uk-unit-costs@1');
    for (const row of table.rows) {
      expect(row.source.length).toBeGreaterThan(20);
      expect(['cited', 'indicative']).toContain(row.evidence);
    }
  });

  it('maps only NatCen domains where fewer families is better, and every row year is indexed', () => {
    for (const m of table.mappings) {
      const domain = natcen.domains.find((d) => d.id === m.domain);
      expect(domain).toBeDefined();
      expect(domain!.lowerIsBetter).toBe(true);
    }
    for (const row of table.rows) expect(index.values.has(row.priceYear)).toBe(true);
    expect(index.values.has(table.priceYear)).toBe(true);
  });

  it('prices a family that lost its housing enforcement action as one eviction avoided', () => {
    const ids = natcen.domains.map((d) => d.id);
    const bit = 1n << BigInt(ids.indexOf('housing_enforcement'));
    const figures = computeSavings({
      table,
      index,
      families: 1,
      domains: episodeTransitions(
        { paired: bit, baseline: bit, end: 0n, followUpAssessed: 0n, followUp: 0n },
        ids,
      ),
    });
    const eviction = figures.perOutcome.find((l) => l.outcome === 'eviction')!;
    expect(eviction.cost).toBe('4361.00');
    // 2016 prices uplifted to the table's 2022: cost × index(2022) / index(2016), to the penny.
    const uplifted = roundDiv(436100n * index.values.get(2022)!, index.values.get(2016)!);
    expect(eviction.upliftedCost).toBe((Number(uplifted) / 100).toFixed(2));
    expect(figures.total.baselineToExit).toBe(eviction.upliftedCost);
    expect(figures.perAgency.find((a) => a.agency === 'housing')!.baselineToExit).toBe(
      eviction.upliftedCost,
    );
  });
});

describe('table validation', () => {
  const good = workedTable(1);
  const load = (table: unknown) =>
    buildRegistry([
      { name: 't.json', raw: table },
      { name: 'i.json', raw: workedIndex },
    ]);

  it('names the field that is wrong', () => {
    expect(() => load({ ...good, rows: [{ ...good.rows[0], cost: '12.345' }] })).toThrow(
      /t.json: rows\[0\].cost: "12.345" is not an amount in pounds/,
    );
    expect(() => load({ ...good, rows: [{ ...good.rows[0], agency: 'nhs' }] })).toThrow(
      /rows\[0\].agency must be one of police, housing/,
    );
    expect(() =>
      load({
        ...good,
        mappings: [{ domain: 'x', outcome: 'nope', quantity: '1', rationale: 'r' }],
      }),
    ).toThrow(/mappings\[0\].outcome must be one of the rows/);
    expect(() => load({ ...good, priceIndex: 'missing@1' })).toThrow(UnitCostsInvalid);
  });

  it('refuses to cost a domain where more families is better', () => {
    const wrong = load({
      ...good,
      mappings: [{ domain: 'no_asb', outcome: 'eviction', quantity: '1', rationale: 'r' }],
    });
    expect(() => checkMappings(wrong, loadDefinitions().domains)).toThrow(
      /domain no_asb is one where more families is better/,
    );
    expect(() => checkMappings(loadCostRegistry(), loadDefinitions().domains)).not.toThrow();
  });

  it('reads pounds exactly', () => {
    expect(parsePounds('646')).toBe(64600n);
    expect(parsePounds('0.5')).toBe(50n);
    expect(parsePounds('19355.16')).toBe(1935516n);
  });
});
