import { loadDefinitions } from '@app/outcomes';
import {
  DomainTransitions,
  SavingsOptionInvalid,
  computeSavings,
  episodeTransitions,
  formatRatio,
  parsePenceString,
  resolveTable,
  roundDiv,
} from './calculator';
import {
  UnitCostsInvalid,
  buildRegistry,
  checkMappings,
  loadCostRegistry,
  parsePounds,
} from './tables';
import {
  ROTHERHAM_CASES,
  ROTHERHAM_DOMAINS,
  caseMasks,
  rotherhamIndex,
  rotherhamTable,
} from './testing/rotherham';

const registry = buildRegistry([
  { name: 'rotherham.v1', raw: rotherhamTable(1) },
  { name: 'rotherham.v2', raw: rotherhamTable(2) },
  { name: 'index', raw: rotherhamIndex },
]);

/** The six cases' transitions added up: the cohort the calculator prices in one go. */
function cohortOf(cases: typeof ROTHERHAM_CASES): DomainTransitions[] {
  const per = cases.map((c) => episodeTransitions(caseMasks(c.avoided), ROTHERHAM_DOMAINS));
  return ROTHERHAM_DOMAINS.map((domain, i) => {
    const add = (
      p: 'baselineToExit' | 'baselineToFollowUp',
      k: 'improved' | 'worsened' | 'pairs',
    ) => per.reduce((s, f) => s + f[i][p][k], 0);
    return {
      domain,
      baselineToExit: {
        improved: add('baselineToExit', 'improved'),
        worsened: add('baselineToExit', 'worsened'),
        pairs: add('baselineToExit', 'pairs'),
      },
      baselineToFollowUp: {
        improved: add('baselineToFollowUp', 'improved'),
        worsened: add('baselineToFollowUp', 'worsened'),
        pairs: add('baselineToFollowUp', 'pairs'),
      },
    };
  });
}

describe('the Rotherham worked check (DOMAIN.md section 4)', () => {
  const { table, index } = resolveTable(registry, 'rotherham-check@1');

  it.each(ROTHERHAM_CASES)('case $name saves £$published', ({ avoided, published }) => {
    const figures = computeSavings({
      table,
      index,
      families: 1,
      domains: episodeTransitions(caseMasks(avoided), ROTHERHAM_DOMAINS),
    });
    expect(figures.total.baselineToExit).toBe(published);
    // Nothing was assessed one year on: no follow-up saving is claimed.
    expect(figures.total.baselineToFollowUp).toBe('0.00');
  });

  it('reproduces the published total £289,953.01 and mean £48,325.50', () => {
    const figures = computeSavings({
      table,
      index,
      families: 6,
      domains: cohortOf(ROTHERHAM_CASES),
    });
    expect(figures.total.baselineToExit).toBe('289953.01');
    expect(figures.perFamily.baselineToExit).toBe('48325.50');
    expect(figures.upliftFactor).toBe('1.000000');
    // The agencies' shares add up to the total.
    const agencies = figures.perAgency.reduce((s, a) => s + parsePenceString(a.baselineToExit), 0n);
    expect(agencies).toBe(28995301n);
    expect(figures.perAgency.find((a) => a.agency === 'social_care')!.baselineToExit).toBe(
      // A: exclusion 5,000 + referral 11,500; B and D: 26 weeks each; F: 104 weeks; C and F: breakdown
      (5000 + 11500 + 2 * 26 * 500 + 104 * 500 + 2 * 9904.1).toFixed(2),
    );
  });

  it('prices the mean as the published figure rounds it (half up, to the penny)', () => {
    expect(roundDiv(28995301n, 6n)).toBe(4832550n);
    expect(roundDiv(5n, 2n)).toBe(3n);
    expect(roundDiv(-5n, 2n)).toBe(-3n);
    expect(formatRatio(2n, 3n, 2)).toBe('0.67');
  });

  it('another version of the unit-cost table changes the figure and says which version it used', () => {
    const v2 = resolveTable(registry, 'rotherham-check@2');
    const figures = computeSavings({ ...v2, families: 6, domains: cohortOf(ROTHERHAM_CASES) });
    // Two cases (B, C) avoided a school exclusion, now £1,000 dearer.
    expect(figures.total.baselineToExit).toBe('291953.01');
    expect(figures.unitCostTable).toEqual({ id: 'rotherham-check', version: 2 });
    const v1 = computeSavings({ table, index, families: 6, domains: cohortOf(ROTHERHAM_CASES) });
    expect(v1.unitCostTable).toEqual({ id: 'rotherham-check', version: 1 });
  });

  it('uplifts every row to the target price year and shows the factor', () => {
    const figures = computeSavings({
      table,
      index,
      targetPriceYear: 2011,
      families: 6,
      domains: cohortOf(ROTHERHAM_CASES),
    });
    expect(figures).toMatchObject({
      priceYear: 2010,
      targetPriceYear: 2011,
      upliftFactor: '1.100000',
    });
    const absence = figures.perOutcome.find((l) => l.outcome === 'school_absence')!;
    expect(absence).toMatchObject({
      cost: '2855.16',
      upliftFactor: '1.100000',
      upliftedCost: '3140.68',
    });
    // Independently: each row's cost × 1.1 rounded to the penny, times the units avoided.
    const units: Record<string, number> = { looked_after_week: 26 * 2 + 104 };
    for (const c of ROTHERHAM_CASES)
      for (const d of c.avoided) if (!d.includes('looked_after')) units[d] = (units[d] ?? 0) + 1;
    const expected = table.rows.reduce(
      (s, r) => s + Math.round(Number(r.costPence) * 1.1) * (units[r.outcome] ?? 0),
      0,
    );
    expect(parsePenceString(figures.total.baselineToExit)).toBe(BigInt(expected));
  });

  it('counts a condition that appeared as a cost, not a saving', () => {
    const worse = episodeTransitions(
      { paired: 1n << 7n, baseline: 0n, end: 1n << 7n, followUpAssessed: 0n, followUp: 0n },
      ROTHERHAM_DOMAINS,
    );
    const figures = computeSavings({ table, index, families: 1, domains: worse });
    expect(figures.total.baselineToExit).toBe('-6366.97');
    expect(figures.perAgency.find((a) => a.agency === 'criminal_justice')!.baselineToExit).toBe(
      '-6366.97',
    );
  });

  it('return on spend is £ avoided per £1 of programme cost', () => {
    const figures = computeSavings({
      table,
      index,
      families: 6,
      domains: cohortOf(ROTHERHAM_CASES),
      programmeCost: { pence: 9665100n, basis: { financialYears: [2010] } },
    });
    expect(figures.programmeCost).toEqual({ financialYears: [2010], amount: '96651.00' });
    expect(figures.returnOnSpend).toEqual({ baselineToExit: '3.00', baselineToFollowUp: '0.00' });
    const unknown = computeSavings({
      table,
      index,
      families: 6,
      domains: cohortOf(ROTHERHAM_CASES),
      programmeCost: { pence: null, basis: { missingYears: [2011] } },
    });
    expect(unknown.returnOnSpend).toEqual({ baselineToExit: null, baselineToFollowUp: null });
  });

  it('refuses a price year outside the index and an unknown table, naming the option', () => {
    const attempt = () =>
      computeSavings({ table, index, targetPriceYear: 2031, families: 0, domains: [] });
    expect(attempt).toThrow(SavingsOptionInvalid);
    expect(attempt).toThrow(/priceYear 2031 is outside price index worked-index@1 \(2010–2011\)/);
    expect(() => resolveTable(registry, 'rotherham-check@9')).toThrow(
      expect.objectContaining({ field: 'unitCosts', rule: 'known_unit_cost_table' }),
    );
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
  const good = rotherhamTable(1);
  const load = (table: unknown) =>
    buildRegistry([
      { name: 't.json', raw: table },
      { name: 'i.json', raw: rotherhamIndex },
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
