import { OutcomeDefinitions } from '@app/outcomes';
import {
  CostRegistry,
  SavingsReport,
  checkMappings,
  defaultRegistry,
  programmeCostText,
  savingsFor,
} from '@app/savings';
import type { CostAvoidance, CostAvoidanceSource, Money } from './builder';

/**
 * What the return's cost section shows beyond `CostAvoidance` (builder.ts): the figures are
 * gross, the net beside them when the unit-cost table gives deadweight or attribution, the
 * deflator named with its status, and what the programme cost covers (the period's days) or why
 * there is none. `perOutcome` ties each money figure to the counts it is a linear function of.
 */
export interface CostSection extends CostAvoidance {
  grossStatement: string;
  net: {
    statement: string;
    byAgency: { agency: string; atExit: Money; oneYearOn: Money | null }[];
    total: { atExit: Money; oneYearOn: Money | null };
    returnOnSpend: string | null;
  } | null;
  /** The deflator named, with its status (e.g. indicative until replaced by a sourced series). */
  deflator: string;
  /** What the programme cost covers (window and days, pro-rated), or why there is none. */
  programmeCostBasis: string;
  perOutcome: SavingsReport['perOutcome'];
  perDomain: SavingsReport['perDomain'];
}

/** Whether a cost source gave the whole section (a test double may give only `CostAvoidance`). */
export const isCostSection = (c: CostAvoidance): c is CostSection =>
  'grossStatement' in c && 'deflator' in c;

/**
 * The return's cost section from the savings calculator: over the same episodes as the rest of
 * the return (as at its position), NatCen's cohort (planned exits), the newest shipped unit-cost
 * table unless one is named. The table's id and version go into the return's provenance. The
 * tables are checked against the return's outcome definitions before any is used (a mapping to a
 * domain the definitions lack is refused, naming it).
 */
export const savingsCostAvoidance = (
  unitCosts?: string,
  registry: () => CostRegistry = defaultRegistry,
): CostAvoidanceSource => {
  const checked = new WeakSet<OutcomeDefinitions>();
  return async ({ db, filter, episodes, definitions, published }): Promise<CostSection> => {
    if (!checked.has(definitions)) {
      checkMappings(registry(), definitions.domains);
      checked.add(definitions);
    }
    const s = await savingsFor(db, filter, {
      source: episodes,
      domains: definitions.domains.map((d) => d.id),
      cohort: 'planned_exits',
      unitCosts,
      registry: registry(),
      published,
    });
    const byAgency = (rows: SavingsReport['perAgency']) =>
      rows.map((a) => ({
        agency: a.agency,
        atExit: a.baselineToExit,
        oneYearOn: a.baselineToFollowUp,
      }));
    return {
      unitCosts: `${s.unitCostTable.id}@${s.unitCostTable.version}`,
      families: s.families,
      byAgency: byAgency(s.perAgency),
      total: { atExit: s.total.baselineToExit, oneYearOn: s.total.baselineToFollowUp },
      programmeCost: s.programmeCost?.amount ?? null,
      returnOnSpend: s.returnOnSpend?.baselineToExit ?? null,
      priceYear: s.targetPriceYear,
      grossStatement: s.grossStatement,
      net: s.net && {
        statement: s.net.statement,
        byAgency: byAgency(s.net.perAgency),
        total: { atExit: s.net.total.baselineToExit, oneYearOn: s.net.total.baselineToFollowUp },
        returnOnSpend: s.net.returnOnSpend?.baselineToExit ?? null,
      },
      deflator: s.priceBasis.deflator.status,
      programmeCostBasis: programmeCostText(s.programmeCost),
      perOutcome: s.perOutcome,
      perDomain: s.perDomain,
    };
  };
};
