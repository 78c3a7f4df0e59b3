/**
 * What one family's change adds to each costed outcome's line, read from the calculator's own
 * per-outcome terms (`perOutcome[j].terms[]`: the money per family improved on a domain, gross and
 * net of deadweight and attribution): disclosure control ties every money figure to the counts it
 * is computed from (libs/returns, issue 14). The calculator's line is exactly
 * `Σ pence × (improved − worsened)` over its terms, gross and net alike, with no rounding after
 * the product; `coefficients.spec.ts` holds the two equal, so the price of a family is decided
 * once, in the calculator, and only read here.
 */
import { OutcomeLine } from './figures';
import { parsePenceString } from './money';
import { Agency, parseMilli } from './tables';

export interface OutcomeCoefficients {
  outcome: string;
  agency: Agency;
  /** Per domain, per net family (improved − worsened): units in thousandths, money in pence. */
  byDomain: { domain: string; unitsMilli: bigint; grossPence: bigint; netPence: bigint }[];
}

/** The scale of `unitsMilli`: 1000 of them make a unit. Money coefficients are whole pence. */
export const UNITS_SCALE = 1000n;

export function moneyCoefficients(figures: {
  perOutcome: Pick<OutcomeLine, 'outcome' | 'agency' | 'terms'>[];
}): OutcomeCoefficients[] {
  return figures.perOutcome.map((line) => ({
    outcome: line.outcome,
    agency: line.agency,
    byDomain: line.terms.map((t) => ({
      domain: t.domain,
      unitsMilli: parseMilli(t.quantity),
      grossPence: parsePenceString(t.grossPerFamily),
      netPence: parsePenceString(t.netPerFamily),
    })),
  }));
}
