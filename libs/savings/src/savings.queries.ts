/**
 * Cost avoidance over the outcomes read model: one pass over the cohort's episode masks counts,
 * per costed domain, the families whose condition went away or appeared; the pure calculator
 * prices them. Programme costs are read from `programme_costs`.
 */
import { Queryable } from '@app/projections';
import {
  CohortFilter,
  CohortKind,
  EpisodeSource,
  LIVE,
  Published,
  cohortEpisodeMasks,
  outcomeModel,
  publishedTransitionCounts,
  transitionCounts,
} from '@app/outcomes';
import { computeSavings, episodeTransitions, resolveTable } from './calculator';
import { DomainTransitions, Period, SavingsFigures } from './figures';
import { formatPence } from './money';
import { programmeCostFor } from './programme-cost';
import { CostRegistry, loadCostRegistry, unitCostsDirFromEnv } from './registry';

export interface SavingsOptions {
  /** `id@version` of the unit-cost table; the newest shipped table if absent. */
  unitCosts?: string;
  /** Year every figure is expressed in; the table's price year if absent. */
  targetPriceYear?: number;
  /** NatCen's convention (planned exits) unless asked otherwise, as for the outcomes table. */
  cohort?: CohortKind;
  /** Episodes "as at" (see `episodesAsAt`); the live read model if absent. */
  source?: EpisodeSource;
  /** Domain ids in bit order; read from `outcome_model` if absent. */
  domains?: string[];
  /** Tables to choose from; the shipped ones (and `UNIT_COST_TABLES_DIR`) if absent. */
  registry?: CostRegistry;
  /** Figures per family episode as well (family-level data: not for aggregate-only callers). */
  byFamily?: boolean;
  /**
   * Under cell-key perturbation: every count published through `publish` (keyed by `keys`), and
   * the money computed from the published counts (@app/returns' `cell-key`).
   */
  published?: Published;
}

export interface FamilySavings extends Record<Period, string> {
  familyId: string;
  episode: number;
}

export interface SavingsReport extends SavingsFigures {
  cohort: CohortKind;
  /** The cohort's episodes left out because the family withdrew consent to evaluation. */
  excludedForConsent: number;
  byFamily?: FamilySavings[];
}

let shipped: CostRegistry | undefined;
/** The registry from the shipped tables and `UNIT_COST_TABLES_DIR`, loaded once. */
export function defaultRegistry(): CostRegistry {
  return (shipped ??= loadCostRegistry({ extraDir: unitCostsDirFromEnv() }));
}

/** Outcome domain ids in the read model's bit order ([] before it has applied anything). */
export async function modelDomains(db: Queryable): Promise<string[]> {
  return (await outcomeModel(db))?.domains ?? [];
}

export async function savingsFor(
  db: Queryable,
  filter: CohortFilter,
  options: SavingsOptions = {},
): Promise<SavingsReport> {
  const registry = options.registry ?? defaultRegistry();
  const { table, index } = resolveTable(registry, options.unitCosts);
  const cohort = options.cohort ?? 'planned_exits';
  const source = options.source ?? LIVE;
  const domainIds = options.domains ?? (await modelDomains(db));
  const costed = [...new Set(table.mappings.map((m) => m.domain))]
    .map((id) => ({ id, bit: domainIds.indexOf(id) }))
    .filter((d) => d.bit >= 0);

  const bits = costed.map((d) => d.bit);
  const counts = options.published
    ? await publishedTransitionCounts(db, filter, cohort, source, bits, options.published)
    : await transitionCounts(db, filter, cohort, source, bits);
  const domains: DomainTransitions[] = costed.map(({ id }, i) => ({
    domain: id,
    ...counts.domains[i],
  }));

  const figures = computeSavings({
    table,
    index,
    targetPriceYear: options.targetPriceYear,
    families: counts.families,
    domains,
    programmeCost: await programmeCostFor(db, filter),
  });
  const report: SavingsReport = {
    cohort,
    excludedForConsent: counts.excludedForConsent,
    ...figures,
  };
  if (options.byFamily) {
    report.byFamily = await familySavings(db, filter, cohort, source, domainIds, options, registry);
  }
  return report;
}

async function familySavings(
  db: Queryable,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  domainIds: string[],
  options: SavingsOptions,
  registry: CostRegistry,
): Promise<FamilySavings[]> {
  const { table, index } = resolveTable(registry, options.unitCosts);
  const rows = await cohortEpisodeMasks(db, filter, cohort, source);
  return rows.map((r) => {
    const figures = computeSavings({
      table,
      index,
      targetPriceYear: options.targetPriceYear,
      families: 1,
      domains: episodeTransitions(
        {
          paired: r.masks.p,
          baseline: r.masks.bp,
          end: r.masks.ep,
          followUpAssessed: r.masks.fa,
          followUp: r.masks.fp,
        },
        domainIds,
      ),
    });
    return { familyId: r.familyId, episode: r.episode, ...figures.total };
  });
}

export interface ProgrammeCost {
  authority: string;
  programme: string;
  year: number;
  amount: string;
  note: string | null;
  recordedBy: string;
  recordedAt: string;
}

/** Sets (or replaces) one authority's cost of a programme for a financial year. */
export async function setProgrammeCost(
  db: Queryable,
  entry: { authority: string; programme: string; year: number; pence: bigint; note?: string },
  recordedBy: string,
  recordedAt: Date,
): Promise<ProgrammeCost> {
  const [row] = (await db.query(
    `INSERT INTO programme_costs (authority, programme, year, cost_pence, note, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (authority, programme, year) DO UPDATE SET cost_pence = excluded.cost_pence,
       note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
     RETURNING authority, programme, year, cost_pence::text, note, recorded_by, recorded_at`,
    [
      entry.authority,
      entry.programme,
      entry.year,
      entry.pence.toString(),
      entry.note ?? null,
      recordedBy,
      recordedAt,
    ],
  )) as CostRow[];
  return toCost(row);
}

export async function listProgrammeCosts(
  db: Queryable,
  authority: string,
): Promise<ProgrammeCost[]> {
  const rows = (await db.query(
    `SELECT authority, programme, year, cost_pence::text, note, recorded_by, recorded_at
     FROM programme_costs WHERE authority = $1 ORDER BY year, programme`,
    [authority],
  )) as CostRow[];
  return rows.map(toCost);
}

interface CostRow {
  authority: string;
  programme: string;
  year: number;
  cost_pence: string;
  note: string | null;
  recorded_by: string;
  recorded_at: Date;
}

const toCost = (r: CostRow): ProgrammeCost => ({
  authority: r.authority,
  programme: r.programme,
  year: r.year,
  amount: formatPence(BigInt(r.cost_pence)),
  note: r.note,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
});
