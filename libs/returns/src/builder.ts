/**
 * The return builder: (authority, period, spec, position) → content, canonical JSON and its
 * SHA-256. Deterministic: everything it reads is fixed by the position (the events up to it),
 * the spec, the outcome rules and the unit-cost table; nothing reads a clock.
 */
import { CohortFilter, EpisodeSource, OutcomeDefinitions, Published } from '@app/outcomes';
import { Queryable } from '@app/projections';
import { canonicalJson, sha256 } from './canonical';
import { CellKeys, perturbationStatement } from './cell-key';
import { shownCount } from './disclosure';
import { DraftTable, Provenance, ReturnContent, key, publish } from './content';
import {
  Database,
  PeriodBounds,
  RecordsOptions,
  ReturnRecords,
  withRecordsAt,
} from './read-models';
import { Scope } from './records';
import { tieMoneyToOutcomes } from './money-relations';
import { ReturnSpec, SpecCohort, TableSpec } from './spec';
import { fillTable, table } from './tables';
import { tieCohortSteps } from './cohort-accounting';
import { publishedCounts } from './published-counts';

export interface ReturnRequest {
  /** The authority, or null for a national return (every authority). */
  authority: Scope;
  /** Inclusive dates, YYYY-MM-DD. */
  periodStart: string;
  periodEnd: string;
}

/** A money amount as a decimal string (pounds and pence), never a float. */
export type Money = string;

/** What the cost-effectiveness section needs from the savings calculator. */
export interface CostAvoidance {
  /** Unit-cost table version, for provenance. */
  unitCosts: string;
  /** Family episodes whose savings are counted. */
  families: number;
  byAgency: { agency: string; atExit: Money; oneYearOn: Money | null }[];
  total: { atExit: Money; oneYearOn: Money | null };
  /** Programme cost and £ avoided per £1 spent, when the authority's programme cost is known. */
  programmeCost: Money | null;
  returnOnSpend: string | null;
  priceYear: number | null;
}

export type CostAvoidanceSource = (input: {
  db: Queryable;
  filter: CohortFilter;
  episodes: EpisodeSource;
  definitions: OutcomeDefinitions;
  /**
   * The keys and the publisher of the table's filter (cell-key perturbation): the money is
   * computed from the planned exits' transitions published through it, the same cells and the
   * same numbers as the outcomes table of those families shows.
   */
  published: Published;
}) => Promise<CostAvoidance>;

export interface BuildContext {
  db: Database;
  definitions: OutcomeDefinitions;
  software: string;
  /** The record keys and the ptable every count of the return is perturbed with (issue 14). */
  cellKeys: CellKeys;
  costs?: CostAvoidanceSource;
  /** 0–100, as the build goes. */
  progress?: (pct: number) => void | Promise<void>;
  /** How long to wait for the read models to reach the position (default 10 minutes). */
  waitMs?: number;
}

/** What composing a return needs: the builder's context, with the transaction to query in. */
export type ComposeContext = Omit<BuildContext, 'db'> & { db: Queryable };

export interface BuiltReturn {
  content: ReturnContent;
  /** The canonical JSON: the bytes the hash is of, and what `format=json` serves. */
  json: string;
  sha256: string;
}

const DAY = 86_400_000;
const midnight = (date: string) => `${date}T00:00:00.000Z`;
const dayAfter = (date: string) => new Date(Date.parse(midnight(date)) + DAY).toISOString();

export const periodBounds = (request: ReturnRequest): PeriodBounds => ({
  from: midnight(request.periodStart),
  before: dayAfter(request.periodEnd),
});

export function cohortFilter(request: ReturnRequest, cohort: SpecCohort): CohortFilter {
  const { from, before } = periodBounds(request);
  const authority = request.authority ?? undefined;
  return cohort === 'referred_in_period'
    ? { authority, referredFrom: from, referredBefore: before }
    : { authority, exitedFrom: from, exitedBefore: before };
}

/**
 * Builds the return as the records stood at `position`: from the read models (and the timeline
 * for the families they do not hold as at the position), in one snapshot.
 */
export async function buildReturn(
  ctx: BuildContext,
  spec: ReturnSpec,
  request: ReturnRequest,
  position: bigint,
): Promise<BuiltReturn> {
  await ctx.progress?.(0);
  let reported = 0;
  const options: Omit<RecordsOptions, 'keys'> = {
    waitMs: ctx.waitMs,
    progress: async (fraction) => {
      const pct = Math.floor(70 * fraction);
      if (pct >= reported + 10) {
        reported = pct;
        await ctx.progress?.(pct);
      }
    },
  };
  return withRecordsAt(
    ctx.db,
    ctx.definitions,
    request.authority,
    periodBounds(request),
    position,
    (tx, records) => composeReturn({ ...ctx, db: tx }, spec, request, position, records),
    { ...options, keys: ctx.cellKeys.sql },
  );
}

/** The return from its records: the tables, disclosure control, provenance, canonical JSON. */
export async function composeReturn(
  ctx: ComposeContext,
  spec: ReturnSpec,
  request: ReturnRequest,
  position: bigint,
  records: ReturnRecords,
): Promise<BuiltReturn> {
  await ctx.progress?.(70);
  let unitCosts: string | null = null;
  const drafts: { section: { id: string; title: string }; tables: DraftTable[] }[] = [];
  const specOf = new Map<DraftTable, TableSpec>();
  const counts = publishedCounts(ctx, records);
  for (const section of spec.sections) {
    const tables: DraftTable[] = [];
    for (const ts of section.tables) {
      const t = table(ts, spec.cohorts[ts.cohort], []);
      const filter = cohortFilter(request, ts.cohort);
      unitCosts = (await fillTable({ ...ctx, counts }, t, ts, filter, records)) ?? unitCosts;
      tables.push(t);
      specOf.set(t, ts);
    }
    drafts.push({ section: { id: section.id, title: section.title }, tables });
  }
  tieCompletedRevisits(drafts.flatMap((d) => d.tables));
  tieCohortSteps(drafts.flatMap((d) => d.tables));
  tieMoney(specOf);
  await ctx.progress?.(90);
  const { sections, disclosure } = publish(drafts, spec.disclosure);
  // Families who withdrew consent to evaluation are in no table (the outcomes slice's rule): say
  // how many, as the attrition line of the same referrals publishes it.
  const excluded = async (cohort: SpecCohort) => {
    const line = await counts.attrition(cohortFilter(request, cohort));
    return shownCount(line.excludedForConsent, spec.disclosure);
  };
  const provenance: Provenance = {
    spec: spec.name,
    position: position.toString(),
    outcomeRules: { sources: ctx.definitions.sources, fingerprint: ctx.definitions.fingerprint },
    unitCosts,
    ptable: ctx.cellKeys.ptable.id,
    software: ctx.software,
    excludedForConsent: {
      referredInPeriod: await excluded('referred_in_period'),
      exitedInPeriod: await excluded('exited_in_period'),
    },
  };
  const content: ReturnContent = {
    format: 'outcomes-ledger/return/1',
    return: {
      spec: spec.name,
      title: spec.title,
      authority: request.authority,
      ...period(request),
    },
    provenance,
    disclosure: { ...disclosure, perturbation: perturbationStatement(ctx.cellKeys.ptable) },
    sections,
  };
  const json = canonicalJson(content);
  await ctx.progress?.(100);
  return { content, json, sha256: sha256(json) };
}

const period = (r: ReturnRequest) => ({ periodStart: r.periodStart, periodEnd: r.periodEnd });

/** The completed-revisit count appears in two tables: one line ties them, so both hide together. */
function tieCompletedRevisits(tables: DraftTable[]) {
  const done = tables.filter((t) =>
    t.rows.some((r) => r.cells.completed && 'count' in r.cells.completed!),
  );
  for (let i = 1; i < done.length; i++) {
    done[0].lines.push({
      total: key(done[0].id, 'revisits', 'completed'),
      parts: [key(done[i].id, 'revisits', 'completed')],
    });
  }
}

/**
 * A cost table's money is computed from the planned exits' transitions: tie it to the outcomes
 * table of planned exits over the same cohort (at exit) and its one-year-on panel (one year on),
 * so disclosure control sees money as equations in the counts those tables publish (the savings
 * calculator's cohort is planned exits). `tieMoneyToOutcomes` throws if a cell it needs is missing.
 */
function tieMoney(specOf: Map<DraftTable, TableSpec>) {
  const all = [...specOf];
  for (const [costs, cs] of all.filter(([, s]) => s.source === 'savings')) {
    const planned = (source: TableSpec['source']) =>
      all.find(
        ([, s]) =>
          s.source === source &&
          s.cohort === cs.cohort &&
          (s.outcomeCohort ?? 'planned_exits') === 'planned_exits',
      )?.[0];
    const outcomes = planned('outcomes');
    if (outcomes) tieMoneyToOutcomes(costs, outcomes, planned('outcomes_one_year_on'));
  }
}
