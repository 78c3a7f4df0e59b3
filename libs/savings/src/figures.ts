/** What the calculator answers: the shapes of its figures. */
import { Agency, Unit } from './tables';
import { Money } from './money';

/** Families whose condition went away (improved) or appeared (worsened), of `pairs` assessed. */
export interface Transitions {
  improved: number;
  worsened: number;
  pairs: number;
}

export interface DomainTransitions {
  domain: string;
  baselineToExit: Transitions;
  baselineToFollowUp: Transitions;
}

export type Period = 'baselineToExit' | 'baselineToFollowUp';
export const PERIODS: readonly Period[] = ['baselineToExit', 'baselineToFollowUp'];

export type ByPeriod<T> = Record<Period, T>;

/** The programme cost set against the figures (see `programmeCostFor`). */
export interface ProgrammeCostInput {
  /**
   * The cost pro-rated to the window, in pence; null when there is none to set against the
   * figures (no window, an open-ended one, or a year of it without a cost entered): no return
   * on spend then, and `basis.reason` says why.
   */
  pence: bigint | null;
  /** What the cost covers, for the reader: the window, the years and days of each. */
  basis: Record<string, unknown>;
}

/** The deflator every figure was uplifted with, named, and whether it may be relied on. */
export interface PriceBasis {
  /** The year every figure is expressed in (`targetPriceYear`). */
  priceYear: number;
  deflator: {
    ref: string;
    title: string;
    source: string;
    evidence: 'cited' | 'indicative';
    /** A sentence for the reader, e.g. "indicative until replaced by a sourced series". */
    status: string;
  };
}

/** What `total`, `perAgency`, `perOutcome` and `perFamily` are: always gross. */
export const GROSS_STATEMENT =
  'Gross cost avoidance: every family whose costed condition went away is priced as avoiding the ' +
  'mapped outcomes in full. Nothing is taken off for what would have happened anyway (deadweight) ' +
  'or for the part other services played (attribution) unless the unit-cost table gives them; ' +
  'where it does, the net figures apply them.';

export interface NetFigures {
  /** Costed outcomes whose row gives a deadweight or an attribution, of all the table's rows. */
  outcomesAdjusted: number;
  outcomes: number;
  statement: string;
  perAgency: ({ agency: Agency } & ByPeriod<Money>)[];
  total: ByPeriod<Money>;
  perFamily: ByPeriod<Money | null>;
  returnOnSpend?: ByPeriod<string | null>;
}

export interface SavingsFigures {
  unitCostTable: { id: string; version: number };
  priceIndex: { id: string; version: number; evidence: 'cited' | 'indicative' };
  /** The table's price year, and the year every figure is expressed in. */
  priceYear: number;
  targetPriceYear: number;
  /** The deflator named, with its status. */
  priceBasis: PriceBasis;
  /** Index(target) / index(table's price year), 6 dp. Each row has its own in `perOutcome`. */
  upliftFactor: string;
  families: number;
  /** Always `gross`: the figures below are before deadweight and attribution. */
  figures: 'gross';
  grossStatement: string;
  perAgency: ({ agency: Agency } & ByPeriod<Money>)[];
  total: ByPeriod<Money>;
  /** Total over the cohort's families (assessed or not), rounded to the penny. */
  perFamily: ByPeriod<Money | null>;
  perOutcome: OutcomeLine[];
  perDomain: DomainTransitions[];
  /** Deadweight and attribution applied, when the table gives any; null otherwise. */
  net: NetFigures | null;
  programmeCost?: { amount: Money | null } & Record<string, unknown>;
  /** Gross £ avoided per £1 of programme cost, 2 dp; null without a cost for a stated window. */
  returnOnSpend?: ByPeriod<string | null>;
}

/**
 * One mapping of a costed outcome: the money per family improved on `domain` (the families
 * improved and worsened are `perDomain`'s counts for that domain and period). A line's money is
 * exactly Σ over its terms of (improved − worsened) × the money per family, in pence: no rounding
 * after the product, so a disclosure rule can tie every money figure to its counts.
 */
export interface OutcomeTerm {
  domain: string;
  /** Units of the outcome per family improved, 3 dp. */
  quantity: string;
  /** Quantity × the uplifted unit cost, rounded to the penny. */
  grossPerFamily: Money;
  /** The gross per family after deadweight and attribution, rounded to the penny. */
  netPerFamily: Money;
}

export interface OutcomeLine extends ByPeriod<Money> {
  outcome: string;
  label: string;
  agency: Agency;
  unit: Unit;
  /** The source figure, at its own price year. */
  cost: Money;
  priceYear: number;
  upliftFactor: string;
  /** The unit cost at the target price year. */
  upliftedCost: Money;
  /** Net units avoided (improved − worsened, times the mapped quantity), 3 dp. */
  unitsAvoided: ByPeriod<string>;
  terms: OutcomeTerm[];
  /** Percentages, 3 dp, as the table gives them; null when it gives none. */
  deadweight: string | null;
  attribution: string | null;
  adjustmentSource: string | null;
  /** The line after deadweight and attribution (equal to the gross when neither is given). */
  net: ByPeriod<Money>;
  source: string;
  evidence: 'cited' | 'indicative';
}
