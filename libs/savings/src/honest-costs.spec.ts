import { loadDefinitions } from '@app/outcomes';
import { computeSavings, resolveTable } from './calculator';
import { DomainTransitions } from './figures';
import { parsePenceString } from './money';
import { NO_WINDOW, costWindow, prorateProgrammeCost } from './programme-cost';
import { buildRegistry, checkMappings, loadCostRegistry } from './registry';
import { WORKED_DOMAINS, workedDefinitions, workedIndex, workedTable } from './testing/worked';

/** Issue 15 item 5: costs that cannot mislead. */

const pounds = (p: string) => BigInt(Math.round(Number(p) * 100));

describe('programme cost pro-rated to the window by days', () => {
  const entered = new Map([
    [2023, pounds('500000')],
    [2024, pounds('600000')],
    [2025, pounds('730000')],
  ]);
  const window = (from: string, to: string) => ({
    from: `${from}T00:00:00.000Z`,
    before: new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString(),
  });

  it('sets a quarter of the year against a quarter’s exits, not the whole year', () => {
    // April to June 2024: 91 of financial year 2024's 365 days. 600,000 × 91 / 365.
    const q = prorateProgrammeCost(entered, window('2024-04-01', '2024-06-30'));
    expect(q.pence).toBe(14958904n);
    expect(q.days).toBe(91);
    expect(q.years).toEqual([
      { year: 2024, entered: '600000.00', daysInYear: 365, days: 91, share: '149589.04' },
    ]);
  });

  it('sets the whole year against the whole year', () => {
    expect(prorateProgrammeCost(entered, window('2024-04-01', '2025-03-31')).pence).toBe(60000000n);
  });

  it('splits a window across financial years by its days in each (a leap year has 366)', () => {
    // January to June 2025: 90 days of FY2024 (365) and 91 of FY2025 (365).
    const w = prorateProgrammeCost(entered, window('2025-01-01', '2025-06-30'));
    expect(w.years.map((y) => [y.year, y.days, y.daysInYear, y.share])).toEqual([
      [2024, 90, 365, '147945.21'],
      [2025, 91, 365, '182000.00'],
    ]);
    expect(w.pence).toBe(14794521n + 18200000n);
    // February 2024 lies in FY2023, 1 April 2023 to 31 March 2024: 366 days.
    const leap = prorateProgrammeCost(entered, window('2024-02-01', '2024-02-29'));
    expect(leap.years).toEqual([
      { year: 2023, entered: '500000.00', daysInYear: 366, days: 29, share: '39617.49' },
    ]);
  });

  it('has no amount when a year of the window has no cost entered', () => {
    const w = prorateProgrammeCost(entered, window('2026-01-01', '2026-06-30'));
    expect(w.pence).toBeNull();
    expect(w.missingYears).toEqual([2026]);
  });
});

describe('return on spend only over a stated window', () => {
  it('takes the exits window, else the referrals window', () => {
    expect(costWindow({ exitedFrom: 'a', exitedBefore: 'b', referredFrom: 'c' })).toEqual({
      kind: 'exits',
      from: 'a',
      before: 'b',
    });
    expect(costWindow({ referredFrom: 'c', referredBefore: 'd' })).toEqual({
      kind: 'referrals',
      from: 'c',
      before: 'd',
    });
  });

  it('has none without a window, or with an open-ended one', () => {
    expect(costWindow({ authority: 'x' })).toBeNull();
    expect(costWindow({ exitedFrom: 'a' })).toEqual({ open: 'the exits window has no end' });
    expect(costWindow({ referredBefore: 'b' })).toEqual({
      open: 'the referrals window has no start',
    });
    expect(NO_WINDOW).toMatch(/^No return on spend without a date window/);
  });
});

describe('unit-cost tables refused at load', () => {
  const load = (table: unknown) =>
    buildRegistry([
      { name: 't.json', raw: table },
      { name: 'i.json', raw: workedIndex },
    ]);

  it('when a mapping names a domain the outcome definitions do not have, naming the key', () => {
    const good = workedTable(1);
    const table = {
      ...good,
      mappings: [
        ...good.mappings,
        { domain: 'school_absense', outcome: 'exclusion', quantity: '1', rationale: 'typo' },
      ],
    };
    expect(() => checkMappings(load(table), workedDefinitions)).toThrow(
      /worked-check@1: mappings\[5\]\.domain "school_absense" is not an outcome domain \(known: school, care/,
    );
    expect(() => checkMappings(load(good), workedDefinitions)).not.toThrow();
  });

  it('a table whose sixteen domains the NatCen definitions do not have (no total of 0.00)', () => {
    const domains = Array.from({ length: 16 }, (_, i) => `made_up_${i}`);
    const table = {
      ...workedTable(1),
      mappings: domains.map((domain) => ({
        domain,
        outcome: 'eviction',
        quantity: '1',
        rationale: 'r',
      })),
    };
    expect(() => checkMappings(load(table), loadDefinitions().domains)).toThrow(
      /mappings\[0\]\.domain "made_up_0", .*mappings\[15\]\.domain "made_up_15" are not outcome domains/,
    );
    expect(() => checkMappings(loadCostRegistry(), loadDefinitions().domains)).not.toThrow();
  });

  it('when a row or mapping has a key the format does not (a misspelt deadweight)', () => {
    const good = workedTable(1);
    expect(() => load({ ...good, rows: [{ ...good.rows[0], deadweigth: '20' }] })).toThrow(
      /t.json: rows\[0\]: unknown key "deadweigth"/,
    );
    expect(() => load({ ...good, mappings: [{ ...good.mappings[0], quantitiy: '2' }] })).toThrow(
      /mappings\[0\]: unknown key "quantitiy"/,
    );
    expect(() => load({ ...good, unitCosts: [] })).toThrow(/t.json: unknown key "unitCosts"/);
    expect(() => load({ ...good, rows: [{ ...good.rows[0], deadweight: '120' }] })).toThrow(
      /rows\[0\].deadweight: "120" is not a percentage from 0 to 100/,
    );
    expect(() => load({ ...good, rows: [{ ...good.rows[0], deadweight: '20' }] })).toThrow(
      /rows\[0\].adjustmentSource must be text/,
    );
  });
});

describe('deadweight and attribution, applied and shown when given', () => {
  const good = workedTable(1);
  const adjusted = {
    ...good,
    rows: good.rows.map((r) =>
      r.outcome === 'eviction'
        ? { ...r, deadweight: '25', attribution: '60', adjustmentSource: 'worked example' }
        : r,
    ),
  };
  const registry = buildRegistry([
    { name: 'adjusted', raw: adjusted },
    { name: 'plain', raw: { ...good, version: 2 } },
    { name: 'index', raw: workedIndex },
  ]);
  const domains: DomainTransitions[] = WORKED_DOMAINS.map((domain) => ({
    domain,
    baselineToExit:
      domain === 'housing'
        ? { improved: 4, worsened: 1, pairs: 10 }
        : { improved: 2, worsened: 0, pairs: 10 },
    baselineToFollowUp: { improved: 0, worsened: 0, pairs: 0 },
  }));

  it('nets each family improved: gross × (1 − deadweight) × attribution, the gross kept beside it', () => {
    const f = computeSavings({
      ...resolveTable(registry, 'worked-check@1'),
      families: 10,
      domains,
    });
    const eviction = f.perOutcome.find((l) => l.outcome === 'eviction')!;
    // 6,500 × 0.75 × 0.60 = 2,925 per family improved; 4 − 1 = 3 net families.
    expect(eviction).toMatchObject({
      deadweight: '25.000',
      attribution: '60.000',
      adjustmentSource: 'worked example',
      terms: [
        {
          domain: 'housing',
          quantity: '1.000',
          grossPerFamily: '6500.00',
          netPerFamily: '2925.00',
        },
      ],
      baselineToExit: '19500.00',
      net: { baselineToExit: '8775.00', baselineToFollowUp: '0.00' },
    });
    expect(f.figures).toBe('gross');
    expect(f.grossStatement).toMatch(/^Gross cost avoidance/);
    expect(f.net).toMatchObject({ outcomesAdjusted: 1, outcomes: 4 });
    const gross = parsePenceString(f.total.baselineToExit);
    expect(parsePenceString(f.net!.total.baselineToExit)).toBe(gross - 1950000n + 877500n);
    expect(f.net!.perAgency.find((a) => a.agency === 'housing')!.baselineToExit).toBe('8775.00');
  });

  it('gives no net figures when the table gives no deadweight or attribution', () => {
    const f = computeSavings({
      ...resolveTable(registry, 'worked-check@2'),
      families: 10,
      domains,
    });
    expect(f.net).toBeNull();
    for (const l of f.perOutcome) {
      expect([l.deadweight, l.attribution, l.net]).toEqual([
        null,
        null,
        { baselineToExit: l.baselineToExit, baselineToFollowUp: l.baselineToFollowUp },
      ]);
    }
  });

  it('every line is exactly Σ (improved − worsened) × money per family improved', () => {
    const f = computeSavings({
      ...resolveTable(registry, 'worked-check@1'),
      families: 10,
      domains,
    });
    const byDomain = new Map(f.perDomain.map((d) => [d.domain, d.baselineToExit]));
    for (const l of f.perOutcome) {
      const sum = (per: 'grossPerFamily' | 'netPerFamily') =>
        l.terms.reduce((s, t) => {
          const c = byDomain.get(t.domain)!;
          return s + BigInt(c.improved - c.worsened) * parsePenceString(t[per]);
        }, 0n);
      expect([l.outcome, sum('grossPerFamily')]).toEqual([
        l.outcome,
        parsePenceString(l.baselineToExit),
      ]);
      expect([l.outcome, sum('netPerFamily')]).toEqual([
        l.outcome,
        parsePenceString(l.net.baselineToExit),
      ]);
    }
  });
});

describe('the price year and deflator, named with their status', () => {
  it('says the shipped deflator is indicative until replaced by a sourced series', () => {
    const { table, index } = resolveTable(loadCostRegistry());
    const f = computeSavings({ table, index, families: 0, domains: [] });
    expect(f.priceBasis).toMatchObject({
      priceYear: 2022,
      deflator: { ref: 'gdp-deflator@1', evidence: 'indicative' },
    });
    expect(f.priceBasis.deflator.title).toMatch(/^GDP deflator at market prices/);
    expect(f.priceBasis.deflator.status).toMatch(/INDICATIVE until replaced by a sourced series/);
  });
});
