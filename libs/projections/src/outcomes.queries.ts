/**
 * Queries over the outcomes read model. Each takes an episode source: the `outcome_episodes` table
 * (the live answer), a table of its shape (a return's episodes as at a position) or, for "as at"
 * answers, episodes re-derived from the events recorded by then, passed as JSON: the same SQL runs
 * over all of them, so the answers cannot drift apart.
 */
import { FamilyEvent } from '@app/domain';
import {
  DomainCounts,
  EpisodeOutcome,
  OutcomeDefinitions,
  OutcomeHistory,
  deriveEpisodes,
  emptyHistory,
  foldOutcomeEvent,
} from '@app/outcomes';
import { episodeRecords } from './episode-records';

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Bounds are instants; `…To` bounds are exclusive (callers turn a whole day into the next midnight). */
export interface CohortFilter {
  authority?: string;
  programme?: string;
  referredFrom?: string;
  referredBefore?: string;
  exitedFrom?: string;
  exitedBefore?: string;
}

export type CohortKind = 'planned_exits' | 'all_exits' | 'all_started';
export const COHORT_KINDS: readonly CohortKind[] = ['planned_exits', 'all_exits', 'all_started'];

/**
 * Where a query reads episodes: a table of `outcome_episodes`' shape (the live table unless
 * `relation` names another, e.g. a return's temporary table as at a position), or rows passed in.
 */
export type EpisodeSource =
  { kind: 'table'; relation?: string } | { kind: 'rows'; episodes: EpisodeOutcome[] };
export const LIVE: EpisodeSource = { kind: 'table' };

const RELATION = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

function from(source: EpisodeSource, params: unknown[]): string {
  if (source.kind === 'table') {
    const relation = source.relation ?? 'outcome_episodes';
    // Named by code, never by a request; checked all the same since it is spliced into SQL.
    if (!RELATION.test(relation)) throw new Error(`not a relation name: ${relation}`);
    return `${relation} e`;
  }
  params.push(JSON.stringify(episodeRecords(source.episodes)));
  return `jsonb_populate_recordset(null::outcome_episodes, $${params.length}::jsonb) e`;
}

function where(filter: CohortFilter, params: unknown[]): string[] {
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.authority) add('e.authority = ?', filter.authority);
  if (filter.programme) add('e.programme = ?', filter.programme);
  if (filter.referredFrom) add('e.referred_at >= ?', filter.referredFrom);
  if (filter.referredBefore) add('e.referred_at < ?', filter.referredBefore);
  if (filter.exitedFrom) add('e.exited_at >= ?', filter.exitedFrom);
  if (filter.exitedBefore) add('e.exited_at < ?', filter.exitedBefore);
  return clauses;
}

const COHORT: Record<CohortKind, string> = {
  planned_exits: `e.status = 'exited' AND e.exit_type = 'planned'`,
  all_exits: `e.status = 'exited'`,
  all_started: `e.accepted_at IS NOT NULL`,
};

// planned_exits compares with the exit assessment (NatCen's convention); the intention-to-treat
// cohorts use it where there is one and otherwise the latest state (last observation carried on).
const END: Record<CohortKind, { assessed: string; present: string }> = {
  planned_exits: { assessed: 'e.exit_assessed', present: 'e.exit_present' },
  all_exits: {
    assessed: '(e.exit_assessed | e.latest_assessed)',
    present: '(e.exit_present | (e.latest_present & ~e.exit_assessed))',
  },
  all_started: {
    assessed: '(e.exit_assessed | e.latest_assessed)',
    present: '(e.exit_present | (e.latest_present & ~e.exit_assessed))',
  },
};

/**
 * The cohort's episodes as rows of domain bit masks: `p` assessed at baseline and at the end
 * point, `bp`/`ep` present then, `fa`/`fp` assessed/present one year on. One definition of the
 * cohort and its end point for every query over it (the outcomes table, cost avoidance).
 */
export function cohortMasks(
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  params: unknown[],
): string {
  const src = from(source, params);
  const clauses = [...where(filter, params), COHORT[cohort]];
  return `
      SELECT e.family_id, e.episode, e.revisited, ${masks(cohort)}
      FROM ${src}
      WHERE ${clauses.join(' AND ')}`;
}

export interface OutcomeCounts {
  /** Family episodes in the cohort. */
  families: number;
  /** Of them, episodes whose twelve-month revisit was completed: the one-year-on column's n. */
  revisited: number;
  domains: DomainCounts[];
}

/** One count of the outcomes table: bit `i` of `expr` over the cohort's p, bp, ep, fa, fp masks. */
interface CountSpec {
  name: string;
  i: number;
  expr: string;
}

/** The nine counts per domain, in a fixed order (the rollup stores them as an array in this order). */
function countSpecs(definitions: OutcomeDefinitions): CountSpec[] {
  return definitions.domains.flatMap((domain, i) => {
    // Improved: had the condition at baseline and not at the end (the reverse for "no ASB").
    const [had, keeps] = domain.lowerIsBetter ? ['bp & ~ep', '& ~fp'] : ['~bp & ep', '& fp'];
    return [
      { name: 'n', i, expr: 'p' },
      { name: 'baseline', i, expr: 'p & bp' },
      { name: 'end', i, expr: 'p & ep' },
      { name: 'pa', i, expr: 'p & bp & ~ep' },
      { name: 'ap', i, expr: 'p & ~bp & ep' },
      { name: 'fn', i, expr: 'p & fa' },
      { name: 'f', i, expr: 'p & fa & fp' },
      { name: 'imp', i, expr: `p & fa & ${had}` },
      { name: 'kept', i, expr: `p & fa & ${had} ${keeps}` },
    ];
  });
}

/** `(expr & bit i) <> 0`: the constants come from the definitions (never from the request). */
const hit = (c: CountSpec) => `(${c.expr} & ${1n << BigInt(c.i)}::int8) <> 0`;

/** The masks every count is computed from, for a cohort's end point. */
const masks = (cohort: CohortKind) =>
  `e.baseline_assessed & ${END[cohort].assessed} AS p, e.baseline_present AS bp,
   ${END[cohort].present} AS ep, e.follow_up_assessed AS fa, e.follow_up_present AS fp`;

function toCounts(
  definitions: OutcomeDefinitions,
  families: number,
  revisited: number,
  get: (name: string, i: number) => number,
): OutcomeCounts {
  return {
    families,
    revisited,
    domains: definitions.domains.map((_d, i) => ({
      n: get('n', i),
      baseline: get('baseline', i),
      end: get('end', i),
      presentToAbsent: get('pa', i),
      absentToPresent: get('ap', i),
      followUpN: get('fn', i),
      followUp: get('f', i),
      improvedFollowedUp: get('imp', i),
      kept: get('kept', i),
    })),
  };
}

export interface OutcomeCountOptions {
  /** Use `outcome_rollup` when the filter allows (default); false forces the episode rows. */
  rollup?: boolean;
}

/**
 * Per-domain counts over a cohort. From the per-authority, per-month `outcome_rollup` when the
 * filter is whole months on at most one date (referral or exit) over the live model, so a national
 * year is a few thousand rows whatever the number of families; otherwise in one pass over the
 * episodes, every count a FILTER over bit masks. Both give the same numbers (tested).
 */
export async function outcomeCounts(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource = LIVE,
  options: OutcomeCountOptions = {},
): Promise<OutcomeCounts> {
  // The rollup sums the live table only.
  const live = source.kind === 'table' && source.relation === undefined;
  const plan = live && options.rollup !== false && rollupPlan(filter);
  if (plan) return rollupCounts(db, definitions, filter, cohort, plan);
  const params: unknown[] = [];
  const specs = countSpecs(definitions);
  const counts = specs.map((c) => `count(*) FILTER (WHERE ${hit(c)}) AS ${c.name}_${c.i}`);
  const sql = `
    WITH c AS (${cohortMasks(filter, cohort, source, params)})
    SELECT count(*) AS families, count(*) FILTER (WHERE c.revisited) AS revisited,
           ${counts.join(', ')} FROM c`;
  const [row] = (await db.query(sql, params)) as Record<string, string>[];
  return toCounts(definitions, Number(row.families), Number(row.revisited), (name, i) =>
    Number(row[`${name}_${i}`]),
  );
}

// --- The rollup ---------------------------------------------------------------------------------

/** The rollup's authority for rows over every authority (no authority code is empty). */
const NATIONAL = '';

/** The date a rollup row is bucketed by, by month (UTC). */
export type RollupDimension = 'referred' | 'exited';
const DIMENSIONS: readonly RollupDimension[] = ['referred', 'exited'];

interface RollupPlan {
  dim: RollupDimension;
  from?: string;
  before?: string;
}

/** A month's first instant (UTC) as `YYYY-MM-DD`, or undefined if `iso` is not one. */
function monthStart(iso: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const aligned =
    d.getUTCDate() === 1 &&
    d.getUTCHours() === 0 &&
    d.getUTCMinutes() === 0 &&
    d.getUTCSeconds() === 0 &&
    d.getUTCMilliseconds() === 0;
  return aligned ? d.toISOString().slice(0, 10) : undefined;
}

/** Whether the rollup answers this filter exactly: whole months, on one date at most. */
function rollupPlan(filter: CohortFilter): RollupPlan | undefined {
  const referred = filter.referredFrom !== undefined || filter.referredBefore !== undefined;
  const exited = filter.exitedFrom !== undefined || filter.exitedBefore !== undefined;
  if (referred && exited) return undefined;
  const dim: RollupDimension = exited ? 'exited' : 'referred';
  const [lo, hi] = exited
    ? [filter.exitedFrom, filter.exitedBefore]
    : [filter.referredFrom, filter.referredBefore];
  const from = lo === undefined ? undefined : monthStart(lo);
  const before = hi === undefined ? undefined : monthStart(hi);
  if ((lo !== undefined && !from) || (hi !== undefined && !before)) return undefined;
  return { dim, from, before };
}

async function rollupCounts(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  plan: RollupPlan,
): Promise<OutcomeCounts> {
  const params: unknown[] = [cohort, plan.dim];
  const clauses = ['r.cohort = $1', 'r.dim = $2'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  // Without an authority, the national rows ('' = every authority): a year is a dozen rows.
  add('r.authority = ?', filter.authority ?? NATIONAL);
  if (filter.programme) add('r.programme = ?', filter.programme);
  if (plan.from) add('r.month >= ?::date', plan.from);
  if (plan.before) add('r.month < ?::date', plan.before);
  const [row] = (await db.query(
    `WITH r AS (SELECT r.families, r.revisited, r.counts FROM outcome_rollup r
                WHERE ${clauses.join(' AND ')})
     SELECT (SELECT coalesce(sum(families), 0) FROM r) AS families,
            (SELECT coalesce(sum(revisited), 0) FROM r) AS revisited,
            (SELECT coalesce(array_agg(total ORDER BY i), '{}') FROM (
               SELECT u.i, sum(u.v) AS total FROM r, unnest(r.counts) WITH ORDINALITY AS u(v, i)
               GROUP BY u.i) t) AS counts`,
    params,
  )) as { families: string; revisited: string; counts: string[] }[];
  const specs = countSpecs(definitions);
  const index = new Map(specs.map((c, k) => [`${c.name}_${c.i}`, k]));
  return toCounts(definitions, Number(row.families), Number(row.revisited), (name, i) =>
    Number(row.counts[index.get(`${name}_${i}`)!] ?? 0),
  );
}

/**
 * Adds (`weight` 1) or takes away (-1) the contributions of the named families' episodes, as they
 * now stand in `outcome_episodes`, to `outcome_rollup`. The outcomes projection takes the old rows
 * away before it upserts and adds the new ones after, in its transaction. Each episode counts in
 * every cohort it belongs to, bucketed by its referral month and (once exited) its exit month,
 * under its authority and under the national total (authority '').
 */
export async function updateOutcomeRollup(
  db: Queryable,
  definitions: OutcomeDefinitions,
  familyIds: string[] | 'all',
  weight: 1 | -1,
): Promise<void> {
  const scope = familyIds === 'all' ? '$1::uuid[] IS NULL' : 'e.family_id = ANY($1)';
  // One pass over the families' episodes, each joined to the (cohort, date) buckets it falls in.
  const buckets = COHORT_KINDS.flatMap((cohort) =>
    DIMENSIONS.map(
      (dim) => `('${cohort}', '${dim}', e.${dim}_at, ${COHORT[cohort]},
        e.baseline_assessed & ${END[cohort].assessed}, ${END[cohort].present})`,
    ),
  );
  const parts = [
    `SELECT e.authority, e.programme, k.cohort, k.dim,
            date_trunc('month', k.at AT TIME ZONE 'UTC')::date AS month,
            k.p, e.baseline_present AS bp, k.ep, e.follow_up_assessed AS fa,
            e.follow_up_present AS fp, e.revisited
     FROM outcome_episodes e
     CROSS JOIN LATERAL (VALUES ${buckets.join(', ')}) AS k(cohort, dim, at, included, p, ep)
     WHERE ${scope} AND k.included AND k.at IS NOT NULL`,
  ];
  const counts = countSpecs(definitions).map((c) => `count(*) FILTER (WHERE ${hit(c)})`);
  await db.query(
    `INSERT INTO outcome_rollup AS r
       (authority, programme, cohort, dim, month, families, revisited, counts)
     SELECT coalesce(authority, '${NATIONAL}'), programme, cohort, dim, month, $2 * count(*),
            $2 * count(*) FILTER (WHERE revisited),
            ARRAY[${counts.map((c) => `$2 * ${c}`).join(', ')}]::bigint[]
     FROM (${parts.join(' UNION ALL ')}) c
     GROUP BY GROUPING SETS ((authority, programme, cohort, dim, month), (programme, cohort, dim, month))
     ON CONFLICT (authority, programme, cohort, dim, month) DO UPDATE SET
       families = r.families + excluded.families,
       revisited = r.revisited + excluded.revisited,
       counts = ARRAY(SELECT a + b FROM unnest(r.counts, excluded.counts) WITH ORDINALITY AS u(a, b, i)
                      ORDER BY i)`,
    [familyIds === 'all' ? null : familyIds, weight],
  );
  // An empty bucket is no bucket: a replay in another order must give the same rows.
  if (weight === 1) await db.query('DELETE FROM outcome_rollup WHERE families = 0');
}

export interface CohortSummary {
  referred: number;
  offered: number;
  accepted: number;
  /** Every episode is in exactly one of these; they sum to `referred`. */
  accounting: {
    awaitingOffer: number;
    awaitingDecision: number;
    refused: { total: number; byStage: Record<'offer' | 'support_plan' | 'intervention', number> };
    ongoing: number;
    plannedExits: number;
    otherExits: {
      total: number;
      byReason: Record<'disengaged' | 'moved_area' | 'custody' | 'other', number>;
    };
  };
  movedArea: number;
  inputs: {
    /** Over planned exits: days from acceptance (the start of the intervention) to the exit. */
    daysToPlannedExit: { n: number; mean: number | null; median: number | null };
    weeklyContactHours: {
      supportPlanToFirstReview: { n: number; mean: number | null };
      lastReviewToExit: { n: number; mean: number | null };
    };
    /** Share of planned-exit families that received each support type (percent). */
    supportTypes: { type: string; families: number; pct: number }[];
  };
}

export async function cohortSummary(
  db: Queryable,
  filter: CohortFilter,
  source: EpisodeSource = LIVE,
): Promise<CohortSummary> {
  const params: unknown[] = [];
  const src = from(source, params);
  const clauses = where(filter, params);
  const whereSql = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const isPlanned = `e.status = 'exited' AND e.exit_type = 'planned'`;
  const days = `extract(epoch FROM e.exited_at - coalesce(e.accepted_at, e.referred_at)) / 86400`;
  const sql = `
    WITH s AS (
      -- Only what the summary reads: a national cohort is materialised once for both passes.
      SELECT e.status, e.exit_type, e.refusal_stage, e.offered_at, e.accepted_at, e.referred_at,
             e.exited_at, e.moved_area, e.early_weekly_hours, e.late_weekly_hours,
             CASE WHEN ${isPlanned} THEN e.support_types END AS support_types
      FROM ${src} ${whereSql}),
    totals AS (
      SELECT count(*) AS referred,
        count(*) FILTER (WHERE e.offered_at IS NOT NULL) AS offered,
        count(*) FILTER (WHERE e.accepted_at IS NOT NULL) AS accepted,
        count(*) FILTER (WHERE e.status = 'referred') AS awaiting_offer,
        count(*) FILTER (WHERE e.status = 'offered') AS awaiting_decision,
        count(*) FILTER (WHERE e.status = 'refused' AND e.refusal_stage = 'offer') AS refused_offer,
        count(*) FILTER (WHERE e.status = 'refused' AND e.refusal_stage = 'support_plan') AS refused_support_plan,
        count(*) FILTER (WHERE e.status = 'refused' AND e.refusal_stage = 'intervention') AS refused_intervention,
        count(*) FILTER (WHERE e.status = 'accepted') AS ongoing,
        count(*) FILTER (WHERE ${isPlanned}) AS planned,
        count(*) FILTER (WHERE e.status = 'exited' AND e.exit_type = 'disengaged') AS exit_disengaged,
        count(*) FILTER (WHERE e.status = 'exited' AND e.exit_type = 'moved_area') AS exit_moved_area,
        count(*) FILTER (WHERE e.status = 'exited' AND e.exit_type = 'custody') AS exit_custody,
        count(*) FILTER (WHERE e.status = 'exited' AND e.exit_type = 'other') AS exit_other,
        count(*) FILTER (WHERE e.moved_area) AS moved_area,
        count(*) FILTER (WHERE ${isPlanned}) AS days_n,
        avg(${days}) FILTER (WHERE ${isPlanned}) AS days_mean,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days}) FILTER (WHERE ${isPlanned}) AS days_median,
        count(e.early_weekly_hours) FILTER (WHERE ${isPlanned}) AS early_n,
        avg(e.early_weekly_hours) FILTER (WHERE ${isPlanned}) AS early_mean,
        count(e.late_weekly_hours) FILTER (WHERE ${isPlanned}) AS late_n,
        avg(e.late_weekly_hours) FILTER (WHERE ${isPlanned}) AS late_mean
      FROM s e
    ),
    support AS (
      SELECT t AS type, count(*) AS families
      FROM s e CROSS JOIN LATERAL unnest(e.support_types) AS t
      WHERE ${isPlanned}
      GROUP BY t
    )
    SELECT to_jsonb(totals) AS totals,
           (SELECT coalesce(jsonb_agg(to_jsonb(support) ORDER BY support.type), '[]') FROM support) AS support
    FROM totals`;
  const [row] = (await db.query(sql, params)) as {
    totals: Record<string, number | string | null>;
    support: { type: string; families: number }[];
  }[];
  const t = row.totals;
  const n = (k: string) => Number(t[k] ?? 0);
  const maybe = (k: string) => (t[k] === null || t[k] === undefined ? null : Number(t[k]));
  const refused = {
    offer: n('refused_offer'),
    support_plan: n('refused_support_plan'),
    intervention: n('refused_intervention'),
  };
  const exits = {
    disengaged: n('exit_disengaged'),
    moved_area: n('exit_moved_area'),
    custody: n('exit_custody'),
    other: n('exit_other'),
  };
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const planned = n('planned');
  return {
    referred: n('referred'),
    offered: n('offered'),
    accepted: n('accepted'),
    accounting: {
      awaitingOffer: n('awaiting_offer'),
      awaitingDecision: n('awaiting_decision'),
      refused: { total: sum(refused), byStage: refused },
      ongoing: n('ongoing'),
      plannedExits: planned,
      otherExits: { total: sum(exits), byReason: exits },
    },
    movedArea: n('moved_area'),
    inputs: {
      daysToPlannedExit: { n: n('days_n'), mean: maybe('days_mean'), median: maybe('days_median') },
      weeklyContactHours: {
        supportPlanToFirstReview: { n: n('early_n'), mean: maybe('early_mean') },
        lastReviewToExit: { n: n('late_n'), mean: maybe('late_mean') },
      },
      supportTypes: row.support.map((s) => ({
        type: s.type,
        families: Number(s.families),
        pct: planned ? (100 * Number(s.families)) / planned : 0,
      })),
    },
  };
}

export interface OutcomeModel {
  fingerprint: string;
  maxRecordedAt: string | null;
}

/** What the live model was built with; undefined before the projection has applied anything. */
export async function outcomeModel(db: Queryable): Promise<OutcomeModel | undefined> {
  const rows = (await db.query(
    `SELECT fingerprint, max_recorded_at FROM outcome_model WHERE name = 'outcomes'`,
  )) as { fingerprint: string; max_recorded_at: Date | null }[];
  return rows[0]
    ? {
        fingerprint: rows[0].fingerprint,
        maxRecordedAt: rows[0].max_recorded_at?.toISOString() ?? null,
      }
    : undefined;
}

/**
 * Episodes as the records stood at `asAt`: every family's events recorded by then (by the
 * metadata's `recordedAt`, kept in `family_timeline`), folded and derived exactly as the projection
 * does. The slow path: it reads the events of every family in scope.
 */
export async function episodesAsAt(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: Pick<CohortFilter, 'authority'>,
  asAt: string,
): Promise<EpisodeOutcome[]> {
  const params: unknown[] = [asAt];
  let scope = '';
  if (filter.authority) {
    params.push(filter.authority);
    scope = `AND t.family_id IN (SELECT family_id FROM families WHERE authority = $2)`;
  }
  const rows = (await db.query(
    `SELECT t.family_id, t.revision, t.type, t.data FROM family_timeline t
     WHERE t.recorded_at <= $1 ${scope}
     ORDER BY t.family_id, t.revision`,
    params,
  )) as { family_id: string; revision: string; type: string; data: FamilyEvent['data'] }[];
  const episodes: EpisodeOutcome[] = [];
  let current: string | undefined;
  let history: OutcomeHistory = emptyHistory();
  const flush = () => {
    if (current) episodes.push(...deriveEpisodes(current, history, definitions));
  };
  for (const r of rows) {
    if (r.family_id !== current) {
      flush();
      current = r.family_id;
      history = emptyHistory();
    }
    const event = { type: r.type, data: r.data } as FamilyEvent;
    history = foldOutcomeEvent(history, event, Number(r.revision));
  }
  flush();
  return episodes;
}
