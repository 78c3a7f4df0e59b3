/**
 * What one family's change adds to each costed outcome's line, read from the calculator's own
 * per-outcome output (its uplifted unit cost) and the table's mappings: disclosure control ties
 * every money figure to the counts it is computed from (libs/returns, issue 14). The calculator's
 * line is `roundDiv(Σ milliPence × (improved − worsened), 1000)` pence; `coefficients.spec.ts`
 * holds the two equal, so a change to the pricing rule must change this too.
 */
import { SavingsFigures, parsePenceString } from './calculator';
import { Agency, UnitCostTable } from './tables';

export interface OutcomeCoefficients {
  outcome: string;
  agency: Agency;
  /** Per domain, per net family (improved − worsened): thousandths of a unit and of a penny. */
  byDomain: { domain: string; unitsMilli: bigint; milliPence: bigint }[];
}

/** The scale of `milliPence` and `unitsMilli`: 1000 of them make a penny (a unit). */
export const COEFFICIENT_SCALE = 1000n;

export function moneyCoefficients(
  figures: Pick<SavingsFigures, 'perOutcome'>,
  table: Pick<UnitCostTable, 'mappings'>,
): OutcomeCoefficients[] {
  return figures.perOutcome.map((line) => {
    const uplifted = parsePenceString(line.upliftedCost);
    return {
      outcome: line.outcome,
      agency: line.agency,
      byDomain: table.mappings
        .filter((m) => m.outcome === line.outcome)
        .map((m) => ({
          domain: m.domain,
          unitsMilli: m.quantityMilli,
          milliPence: m.quantityMilli * uplifted,
        })),
    };
  });
}
