/**
 * The Family Savings Calculator, pure: given how many families in a cohort lost (or gained) each
 * costed condition between baseline and exit (and one year on), a unit-cost table and a price
 * index, it prices the change per costed outcome, per agency and in total. All arithmetic is on
 * integers (pence, thousandths): the same inputs give the same figures, byte for byte.
 */
import { CohortMasks, TRANSITIONS, TransitionRules, holds } from '@app/outcomes';
import { AGENCIES, Agency, CostRegistry, PriceIndex, UnitCostTable, Unit, refOf } from './tables';

/** A caller's option the calculator cannot honour, named like a request error. */
export class SavingsOptionInvalid extends Error {
  override readonly name = 'SavingsOptionInvalid';
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

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
const PERIODS: readonly Period[] = ['baselineToExit', 'baselineToFollowUp'];

/** Money as a fixed 2-dp string of pounds (negative when costs rose). */
export type Money = string;
export type ByPeriod<T> = Record<Period, T>;

export interface ProgrammeCostInput {
  /** Null when part of the period has no cost entered: no return on spend then. */
  pence: bigint | null;
  /** What the cost covers, for the reader (e.g. the financial years summed). */
  basis: Record<string, unknown>;
}

export interface SavingsFigures {
  unitCostTable: { id: string; version: number };
  priceIndex: { id: string; version: number; evidence: 'cited' | 'indicative' };
  /** The table's price year, and the year every figure is expressed in. */
  priceYear: number;
  targetPriceYear: number;
  /** Index(target) / index(table's price year), 6 dp. Each row has its own in `perOutcome`. */
  upliftFactor: string;
  families: number;
  perAgency: ({ agency: Agency } & ByPeriod<Money>)[];
  total: ByPeriod<Money>;
  /** Total over the cohort's families (assessed or not), rounded to the penny. */
  perFamily: ByPeriod<Money | null>;
  perOutcome: OutcomeLine[];
  perDomain: DomainTransitions[];
  programmeCost?: { amount: Money | null } & Record<string, unknown>;
  /** £ avoided per £1 of programme cost, 2 dp; null without a programme cost. */
  returnOnSpend?: ByPeriod<string | null>;
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
  source: string;
  evidence: 'cited' | 'indicative';
}

/** n / d rounded half away from zero. */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d < 0n) return roundDiv(-n, -d);
  const q = (2n * (n < 0n ? -n : n) + d) / (2n * d);
  return n < 0n ? -q : q;
}

export function formatPence(p: bigint): Money {
  const sign = p < 0n ? '-' : '';
  const a = p < 0n ? -p : p;
  return `${sign}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
}

/** A ratio of integers as a fixed-point string with `places` decimals, half away from zero. */
export function formatRatio(n: bigint, d: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  const v = roundDiv(n * scale, d);
  const sign = v < 0n ? '-' : '';
  const a = v < 0n ? -v : v;
  return `${sign}${a / scale}.${(a % scale).toString().padStart(places, '0')}`;
}

const formatMilli = (m: bigint) => formatRatio(m, 1000n, 3);

function indexAt(index: PriceIndex, year: number, field: string): bigint {
  const v = index.values.get(year);
  if (v === undefined) {
    const years = [...index.values.keys()].sort((a, b) => a - b);
    throw new SavingsOptionInvalid(
      field,
      'price_year_in_index',
      `${field} ${year} is outside price index ${refOf(index)} (${years[0]}–${years[years.length - 1]})`,
    );
  }
  return v;
}

/** The table and index a caller asked for (`id@version`, or the default table). */
export function resolveTable(
  registry: CostRegistry,
  ref?: string,
): { table: UnitCostTable; index: PriceIndex } {
  const key = ref ?? registry.defaultTable;
  const table = registry.tables.get(key);
  if (!table) {
    throw new SavingsOptionInvalid(
      'unitCosts',
      'known_unit_cost_table',
      `unitCosts must be one of: ${[...registry.tables.keys()].sort().join(', ')}`,
    );
  }
  return { table, index: registry.indexes.get(table.priceIndex)! };
}

export interface CalculatorInput {
  table: UnitCostTable;
  index: PriceIndex;
  targetPriceYear?: number;
  /** Family episodes in the cohort. */
  families: number;
  domains: DomainTransitions[];
  programmeCost?: ProgrammeCostInput;
}

export function computeSavings(input: CalculatorInput): SavingsFigures {
  const { table, index, families } = input;
  const target = input.targetPriceYear ?? table.priceYear;
  const targetIndex = indexAt(index, target, 'priceYear');
  const byDomain = new Map(input.domains.map((d) => [d.domain, d]));
  const net = (d: DomainTransitions | undefined, p: Period) =>
    d ? BigInt(d[p].improved - d[p].worsened) : 0n;

  const perOutcome: OutcomeLine[] = table.rows.map((row) => {
    const rowIndex = indexAt(index, row.priceYear, `row ${row.outcome} priceYear`);
    const uplifted = roundDiv(row.costPence * targetIndex, rowIndex);
    const units = {} as ByPeriod<bigint>;
    const money = {} as ByPeriod<Money>;
    for (const p of PERIODS) {
      units[p] = table.mappings
        .filter((m) => m.outcome === row.outcome)
        .reduce((sum, m) => sum + net(byDomain.get(m.domain), p) * m.quantityMilli, 0n);
      money[p] = formatPence(roundDiv(units[p] * uplifted, 1000n));
    }
    return {
      outcome: row.outcome,
      label: row.label,
      agency: row.agency,
      unit: row.unit,
      cost: formatPence(row.costPence),
      priceYear: row.priceYear,
      upliftFactor: formatRatio(targetIndex, rowIndex, 6),
      upliftedCost: formatPence(uplifted),
      unitsAvoided: {
        baselineToExit: formatMilli(units.baselineToExit),
        baselineToFollowUp: formatMilli(units.baselineToFollowUp),
      },
      ...money,
      source: row.source,
      evidence: row.evidence,
    };
  });

  // Totals are sums of the rounded lines, so every published figure adds up exactly.
  const pence = (m: Money) => parsePenceString(m);
  const sum = (lines: OutcomeLine[], p: Period) => lines.reduce((s, l) => s + pence(l[p]), 0n);
  const totals = {
    baselineToExit: sum(perOutcome, 'baselineToExit'),
    baselineToFollowUp: sum(perOutcome, 'baselineToFollowUp'),
  };
  const perAgency = AGENCIES.map((agency) => {
    const lines = perOutcome.filter((l) => l.agency === agency);
    return {
      agency,
      baselineToExit: formatPence(sum(lines, 'baselineToExit')),
      baselineToFollowUp: formatPence(sum(lines, 'baselineToFollowUp')),
    };
  });
  const perFamily = {} as ByPeriod<Money | null>;
  for (const p of PERIODS) {
    perFamily[p] = families > 0 ? formatPence(roundDiv(totals[p], BigInt(families))) : null;
  }

  const figures: SavingsFigures = {
    unitCostTable: { id: table.id, version: table.version },
    priceIndex: { id: index.id, version: index.version, evidence: index.evidence },
    priceYear: table.priceYear,
    targetPriceYear: target,
    upliftFactor: formatRatio(targetIndex, indexAt(index, table.priceYear, 'priceYear'), 6),
    families,
    perAgency,
    total: {
      baselineToExit: formatPence(totals.baselineToExit),
      baselineToFollowUp: formatPence(totals.baselineToFollowUp),
    },
    perFamily,
    perOutcome,
    perDomain: table.mappings
      .map((m) => m.domain)
      .filter((d, i, all) => all.indexOf(d) === i)
      .map(
        (domain) =>
          byDomain.get(domain) ?? {
            domain,
            baselineToExit: { improved: 0, worsened: 0, pairs: 0 },
            baselineToFollowUp: { improved: 0, worsened: 0, pairs: 0 },
          },
      ),
  };
  if (input.programmeCost) {
    const cost = input.programmeCost.pence;
    const ratio = (p: Period) => (cost ? formatRatio(totals[p], cost, 2) : null);
    figures.programmeCost = {
      ...input.programmeCost.basis,
      amount: cost === null ? null : formatPence(cost),
    };
    figures.returnOnSpend = {
      baselineToExit: ratio('baselineToExit'),
      baselineToFollowUp: ratio('baselineToFollowUp'),
    };
  }
  return figures;
}

/** "-12.34" → -1234n (the inverse of `formatPence`). */
export function parsePenceString(m: Money): bigint {
  const neg = m.startsWith('-');
  const [whole, frac] = (neg ? m.slice(1) : m).split('.');
  const v = BigInt(whole) * 100n + BigInt(frac);
  return neg ? -v : v;
}

/** One family episode's domain states as bit masks (bit i = domain i of the read model). */
export interface EpisodeMasks {
  /** Assessed at baseline and at the end point. */
  paired: bigint;
  baseline: bigint;
  end: bigint;
  followUpAssessed: bigint;
  followUp: bigint;
}

/**
 * Transitions of one episode, for `perFamily` lists and worked examples: the cohort query's rule
 * (`TRANSITIONS`: a pair needs both assessments; the one-year-on pair also needs the end point).
 */
export function episodeTransitions(masks: EpisodeMasks, domainIds: string[]): DomainTransitions[] {
  const m: CohortMasks = {
    p: masks.paired,
    bp: masks.baseline,
    ep: masks.end,
    fa: masks.followUpAssessed,
    fp: masks.followUp,
  };
  const t = (rules: TransitionRules, bit: number): Transitions => ({
    pairs: holds(rules.pairs, m, bit) ? 1 : 0,
    improved: holds(rules.improved, m, bit) ? 1 : 0,
    worsened: holds(rules.worsened, m, bit) ? 1 : 0,
  });
  return domainIds.map((domain, i) => ({
    domain,
    baselineToExit: t(TRANSITIONS.baselineToExit, i),
    baselineToFollowUp: t(TRANSITIONS.baselineToFollowUp, i),
  }));
}
