import { computeSavings, resolveTable } from './calculator';
import { UNITS_SCALE, moneyCoefficients } from './coefficients';
import { DomainTransitions, PERIODS } from './figures';
import { formatRatio, parsePenceString } from './money';
import { buildRegistry } from './registry';
import deflatorV1 from './tables/gdp-deflator.v1.json';
import ukUnitCostsV1 from './tables/uk-unit-costs.v1.json';

/** mulberry32: a failing cohort is reproduced from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The shipped table as it is (gross = net), or with a random deadweight and attribution on some
 * rows and random fractional quantities (so net differs from gross and per-term rounding bites).
 */
function tableFor(seed: number) {
  if (seed % 4 === 0) return ukUnitCostsV1;
  const next = random(seed * 7919);
  const pct = () => (Math.floor(next() * 100_000) / 1000).toFixed(3);
  return {
    ...ukUnitCostsV1,
    rows: ukUnitCostsV1.rows.map((r) =>
      next() < 0.6
        ? { ...r, deadweight: pct(), attribution: pct(), adjustmentSource: 'property test' }
        : r,
    ),
    mappings: ukUnitCostsV1.mappings.map((m) => ({
      ...m,
      quantity: next() < 0.5 ? m.quantity : (next() * 30).toFixed(3),
    })),
  };
}

describe('money coefficients: each costed line is Σ coefficient × (improved − worsened)', () => {
  it('property: gross and net lines and units avoided are exactly what the coefficients say', () => {
    let netDiffers = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const registry = buildRegistry([
        { name: 'table', raw: tableFor(seed) },
        { name: 'index', raw: deflatorV1 },
      ]);
      const { table, index } = resolveTable(registry);
      const domains = [...new Set(table.mappings.map((m) => m.domain))];
      const next = random(seed);
      const n = () => Math.floor(next() * 30);
      const transitions: DomainTransitions[] = domains.map((domain) => ({
        domain,
        baselineToExit: { improved: n(), worsened: n(), pairs: 60 },
        baselineToFollowUp: { improved: n(), worsened: n(), pairs: 60 },
      }));
      const years = [...index.values.keys()].filter((y) => y >= table.priceYear);
      const targetPriceYear = years[Math.floor(next() * years.length)];
      const figures = computeSavings({
        table,
        index,
        families: 100,
        domains: transitions,
        targetPriceYear,
      });
      const coefficients = moneyCoefficients(figures);
      expect(coefficients).toHaveLength(figures.perOutcome.length);
      figures.perOutcome.forEach((line, i) => {
        const c = coefficients[i];
        expect([c.outcome, c.agency]).toEqual([line.outcome, line.agency]);
        for (const p of PERIODS) {
          const net = (d: string) => {
            const t = transitions.find((x) => x.domain === d)![p];
            return BigInt(t.improved - t.worsened);
          };
          const sum = (f: (d: (typeof c.byDomain)[number]) => bigint) =>
            c.byDomain.reduce((s, d) => s + f(d) * net(d.domain), 0n);
          expect({ seed, outcome: c.outcome, p, gross: parsePenceString(line[p]) }).toEqual({
            seed,
            outcome: c.outcome,
            p,
            gross: sum((d) => d.grossPence),
          });
          expect({ seed, outcome: c.outcome, p, net: parsePenceString(line.net[p]) }).toEqual({
            seed,
            outcome: c.outcome,
            p,
            net: sum((d) => d.netPence),
          });
          if (sum((d) => d.grossPence) !== sum((d) => d.netPence)) netDiffers++;
          expect(line.unitsAvoided[p]).toBe(
            formatRatio(
              sum((d) => d.unitsMilli),
              UNITS_SCALE,
              3,
            ),
          );
        }
      });
    }
    // The net coefficients were put to the test, not only equal to the gross.
    expect(netDiffers).toBeGreaterThan(100);
  });
});
