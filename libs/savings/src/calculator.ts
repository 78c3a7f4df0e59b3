/**
 * The Family Savings Calculator, pure: given how many families in a cohort lost (or gained) each
 * costed condition between baseline and exit (and one year on), a unit-cost table and a price
 * index, it prices the change per costed outcome, per agency and in total: gross, and net of
 * deadweight and attribution where the table gives them. All arithmetic is on integers (pence,
 * thousandths): the same inputs give the same figures, byte for byte.
 */
import { CohortMasks, TRANSITIONS, TransitionRules, holds } from '@app/outcomes';
import { CostRegistry } from './registry';
import { AGENCIES, CostMapping, PriceIndex, UnitCostTable, refOf } from './tables';
import {
  ByPeriod,
  DomainTransitions,
  OutcomeLine,
  PERIODS,
  Period,
  SavingsFigures,
  Transitions,
  ProgrammeCostInput,
  GROSS_STATEMENT,
} from './figures';
import { Money, formatPence, formatRatio, parsePenceString, roundDiv } from './money';

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

const HUNDRED_PCT = 100_000n;

/** The deflator's status in words: indicative figures must say so wherever they are shown. */
export function deflatorStatus(index: PriceIndex): string {
  return index.evidence === 'cited'
    ? `${index.title} (${refOf(index)}), cited: ${index.source}`
    : `${index.title} (${refOf(index)}) is INDICATIVE until replaced by a sourced series: every uplifted figure is indicative too`;
}

export function computeSavings(input: CalculatorInput): SavingsFigures {
  const { table, index, families } = input;
  const target = input.targetPriceYear ?? table.priceYear;
  const targetIndex = indexAt(index, target, 'priceYear');
  const byDomain = new Map(input.domains.map((d) => [d.domain, d]));
  const net = (d: DomainTransitions | undefined, p: Period) =>
    d ? BigInt(d[p].improved - d[p].worsened) : 0n;
  const pct = (v: bigint | undefined) => (v === undefined ? null : formatMilli(v));

  const perOutcome: OutcomeLine[] = table.rows.map((row) => {
    const rowIndex = indexAt(index, row.priceYear, `row ${row.outcome} priceYear`);
    const uplifted = roundDiv(row.costPence * targetIndex, rowIndex);
    const keep = HUNDRED_PCT - (row.deadweightMilliPct ?? 0n);
    const owed = row.attributionMilliPct ?? HUNDRED_PCT;
    const mappings = table.mappings.filter((m) => m.outcome === row.outcome);
    const terms = mappings.map((m) => {
      const gross = roundDiv(m.quantityMilli * uplifted, 1000n);
      return { m, gross, net: roundDiv(gross * keep * owed, HUNDRED_PCT * HUNDRED_PCT) };
    });
    const units = {} as ByPeriod<bigint>;
    const money = {} as ByPeriod<Money>;
    const netMoney = {} as ByPeriod<Money>;
    for (const p of PERIODS) {
      const n = (t: { m: CostMapping }) => net(byDomain.get(t.m.domain), p);
      units[p] = terms.reduce((sum, t) => sum + n(t) * t.m.quantityMilli, 0n);
      money[p] = formatPence(terms.reduce((sum, t) => sum + n(t) * t.gross, 0n));
      netMoney[p] = formatPence(terms.reduce((sum, t) => sum + n(t) * t.net, 0n));
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
      terms: terms.map((t) => ({
        domain: t.m.domain,
        quantity: formatMilli(t.m.quantityMilli),
        grossPerFamily: formatPence(t.gross),
        netPerFamily: formatPence(t.net),
      })),
      deadweight: pct(row.deadweightMilliPct),
      attribution: pct(row.attributionMilliPct),
      adjustmentSource: row.adjustmentSource ?? null,
      net: netMoney,
      source: row.source,
      evidence: row.evidence,
    };
  });

  // Totals are sums of the lines, so every published figure adds up exactly.
  const gross = rollUp(perOutcome, (l, p) => l[p], families);
  const adjusted = table.rows.filter(
    (r) => r.deadweightMilliPct !== undefined || r.attributionMilliPct !== undefined,
  ).length;
  const netRoll = rollUp(perOutcome, (l, p) => l.net[p], families);

  const figures: SavingsFigures = {
    unitCostTable: { id: table.id, version: table.version },
    priceIndex: { id: index.id, version: index.version, evidence: index.evidence },
    priceYear: table.priceYear,
    targetPriceYear: target,
    priceBasis: {
      priceYear: target,
      deflator: {
        ref: refOf(index),
        title: index.title,
        source: index.source,
        evidence: index.evidence,
        status: deflatorStatus(index),
      },
    },
    upliftFactor: formatRatio(targetIndex, indexAt(index, table.priceYear, 'priceYear'), 6),
    families,
    figures: 'gross',
    grossStatement: GROSS_STATEMENT,
    perAgency: gross.perAgency,
    total: gross.total,
    perFamily: gross.perFamily,
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
    net: adjusted
      ? {
          outcomesAdjusted: adjusted,
          outcomes: table.rows.length,
          statement:
            `Net of the deadweight and attribution the table gives for ${adjusted} of its ` +
            `${table.rows.length} costed outcomes; the others are not adjusted (gross).`,
          perAgency: netRoll.perAgency,
          total: netRoll.total,
          perFamily: netRoll.perFamily,
        }
      : null,
  };
  if (input.programmeCost) {
    const cost = input.programmeCost.pence;
    const ratio = (totals: ByPeriod<Money>) => (p: Period) =>
      cost ? formatRatio(parsePenceString(totals[p]), cost, 2) : null;
    figures.programmeCost = {
      ...input.programmeCost.basis,
      amount: cost === null ? null : formatPence(cost),
    };
    const byPeriod = (f: (p: Period) => string | null) => ({
      baselineToExit: f('baselineToExit'),
      baselineToFollowUp: f('baselineToFollowUp'),
    });
    figures.returnOnSpend = byPeriod(ratio(gross.total));
    if (figures.net) figures.net.returnOnSpend = byPeriod(ratio(netRoll.total));
  }
  return figures;
}

/** Per agency, total and per family, as sums of the lines' rounded figures. */
function rollUp(
  lines: OutcomeLine[],
  money: (l: OutcomeLine, p: Period) => Money,
  families: number,
) {
  const sum = (ls: OutcomeLine[], p: Period) =>
    ls.reduce((s, l) => s + parsePenceString(money(l, p)), 0n);
  const totals = {
    baselineToExit: sum(lines, 'baselineToExit'),
    baselineToFollowUp: sum(lines, 'baselineToFollowUp'),
  };
  const perFamily = {} as ByPeriod<Money | null>;
  for (const p of PERIODS) {
    perFamily[p] = families > 0 ? formatPence(roundDiv(totals[p], BigInt(families))) : null;
  }
  return {
    perAgency: AGENCIES.map((agency) => {
      const ls = lines.filter((l) => l.agency === agency);
      return {
        agency,
        baselineToExit: formatPence(sum(ls, 'baselineToExit')),
        baselineToFollowUp: formatPence(sum(ls, 'baselineToFollowUp')),
      };
    }),
    total: {
      baselineToExit: formatPence(totals.baselineToExit),
      baselineToFollowUp: formatPence(totals.baselineToFollowUp),
    },
    perFamily,
  };
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
