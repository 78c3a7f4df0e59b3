import {
  COEFFICIENT_SCALE,
  defaultRegistry,
  moneyCoefficients,
  refOf,
  resolveTable,
  savingsFor,
} from '@app/savings';
import { CostAvoidance, CostAvoidanceSource } from './builder';

/**
 * The return's cost section from the savings calculator: over the same episodes as the rest of
 * the return (as at its position), NatCen's cohort (planned exits), the newest shipped unit-cost
 * table unless one is named. The table's id and version go into the return's provenance.
 */
export const savingsCostAvoidance =
  (unitCosts?: string): CostAvoidanceSource =>
  async ({ db, filter, episodes, definitions }) => {
    const s = await savingsFor(db, filter, {
      source: episodes,
      domains: definitions.domains.map((d) => d.id),
      cohort: 'planned_exits',
      unitCosts,
    });
    return {
      unitCosts: `${s.unitCostTable.id}@${s.unitCostTable.version}`,
      families: s.families,
      byAgency: s.perAgency.map((a) => ({
        agency: a.agency,
        atExit: a.baselineToExit,
        oneYearOn: a.baselineToFollowUp,
      })),
      total: { atExit: s.total.baselineToExit, oneYearOn: s.total.baselineToFollowUp },
      programmeCost: s.programmeCost?.amount ?? null,
      returnOnSpend: s.returnOnSpend?.baselineToExit ?? null,
      priceYear: s.targetPriceYear,
      tiedTo: tiedTo(s),
    };
  };

/** The calculator's counts and per-agency coefficients, for disclosure control (issue 14). */
function tiedTo(s: Awaited<ReturnType<typeof savingsFor>>): CostAvoidance['tiedTo'] {
  const table = resolveTable(defaultRegistry(), refOf(s.unitCostTable)).table;
  const perAgency = new Map<string, Record<string, bigint>>();
  for (const line of moneyCoefficients(s, table)) {
    const byDomain = perAgency.get(line.agency) ?? {};
    for (const d of line.byDomain) byDomain[d.domain] = (byDomain[d.domain] ?? 0n) + d.milliPence;
    perAgency.set(line.agency, byDomain);
  }
  return {
    transitions: s.perDomain.map((d) => ({
      domain: d.domain,
      atExit: d.baselineToExit,
      oneYearOn: d.baselineToFollowUp,
    })),
    perAgency: [...perAgency].map(([agency, byDomain]) => ({ agency, byDomain })),
    scale: COEFFICIENT_SCALE,
  };
}
