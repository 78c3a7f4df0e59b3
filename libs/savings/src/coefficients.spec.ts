import {
  DomainTransitions,
  computeSavings,
  formatRatio,
  parsePenceString,
  resolveTable,
  roundDiv,
} from './calculator';
import { COEFFICIENT_SCALE, moneyCoefficients } from './coefficients';
import { loadCostRegistry } from './tables';

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

describe('money coefficients: each costed line is Σ coefficient × (improved − worsened)', () => {
  const registry = loadCostRegistry();
  const { table, index } = resolveTable(registry);
  const domains = [...new Set(table.mappings.map((m) => m.domain))];

  it('property: the calculator prices random cohorts exactly as the coefficients say', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const n = () => Math.floor(next() * 30);
      const transitions: DomainTransitions[] = domains.map((domain) => ({
        domain,
        baselineToExit: { improved: n(), worsened: n(), pairs: 60 },
        baselineToFollowUp: { improved: n(), worsened: n(), pairs: 60 },
      }));
      const targetPriceYear = 2020 + Math.floor(next() * 4);
      const figures = computeSavings({
        table,
        index,
        families: 100,
        domains: transitions,
        targetPriceYear,
      });
      const coefficients = moneyCoefficients(figures, table);
      figures.perOutcome.forEach((line, i) => {
        const c = coefficients[i];
        expect(c.outcome).toBe(line.outcome);
        for (const p of ['baselineToExit', 'baselineToFollowUp'] as const) {
          const net = (d: string) => {
            const t = transitions.find((x) => x.domain === d)![p];
            return BigInt(t.improved - t.worsened);
          };
          const exact = c.byDomain.reduce((s, d) => s + d.milliPence * net(d.domain), 0n);
          expect({ seed, outcome: c.outcome, p, pence: parsePenceString(line[p]) }).toEqual({
            seed,
            outcome: c.outcome,
            p,
            pence: roundDiv(exact, COEFFICIENT_SCALE),
          });
          const units = c.byDomain.reduce((s, d) => s + d.unitsMilli * net(d.domain), 0n);
          expect(line.unitsAvoided[p]).toBe(formatRatio(units, COEFFICIENT_SCALE, 3));
        }
      });
    }
  });
});
