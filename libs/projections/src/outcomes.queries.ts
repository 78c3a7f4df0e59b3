/**
 * Queries over the outcomes read model. Each takes an episode source: the `outcome_episodes` table
 * (the live answer) or, for "as at" answers, episodes re-derived from the events recorded by then,
 * passed as JSON: the same SQL runs over both, so the two answers cannot drift apart.
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
import { episodeRecords } from './outcomes.projection';

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

export type EpisodeSource = { kind: 'table' } | { kind: 'rows'; episodes: EpisodeOutcome[] };
export const LIVE: EpisodeSource = { kind: 'table' };

function from(source: EpisodeSource, params: unknown[]): string {
  if (source.kind === 'table') return 'outcome_episodes e';
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
  const end = END[cohort];
  return `
      SELECT e.family_id, e.episode, e.baseline_assessed & ${end.assessed} AS p,
             e.baseline_present AS bp, ${end.present} AS ep,
             e.follow_up_assessed AS fa, e.follow_up_present AS fp
      FROM ${src}
      WHERE ${clauses.join(' AND ')}`;
}

export interface OutcomeCounts {
  /** Family episodes in the cohort. */
  families: number;
  domains: DomainCounts[];
}

/**
 * Per-domain counts over a cohort in one pass: every count is a FILTER over bit masks; the
 * constants come from the definitions (never from the request).
 */
export async function outcomeCounts(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource = LIVE,
): Promise<OutcomeCounts> {
  const params: unknown[] = [];
  const masks = cohortMasks(filter, cohort, source, params);
  const counts = definitions.domains.flatMap((domain, i) => {
    const b = `${1n << BigInt(i)}::int8`;
    const c = (name: string, expr: string) =>
      `count(*) FILTER (WHERE (${expr} & ${b}) <> 0) AS ${name}_${i}`;
    // Improved: had the condition at baseline and not at the end (the reverse for "no ASB").
    const [had, keeps] = domain.lowerIsBetter ? ['bp & ~ep', '& ~fp'] : ['~bp & ep', '& fp'];
    return [
      c('n', 'p'),
      c('baseline', 'p & bp'),
      c('end', 'p & ep'),
      c('pa', 'p & bp & ~ep'),
      c('ap', 'p & ~bp & ep'),
      c('fn', 'p & fa'),
      c('f', 'p & fa & fp'),
      c('imp', `p & fa & ${had}`),
      c('kept', `p & fa & ${had} ${keeps}`),
    ];
  });
  const sql = `
    WITH c AS (${masks})
    SELECT count(*) AS families, ${counts.join(', ')} FROM c`;
  const [row] = (await db.query(sql, params)) as Record<string, string>[];
  const get = (name: string, i: number) => Number(row[`${name}_${i}`]);
  return {
    families: Number(row.families),
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
    WITH s AS (SELECT e.* FROM ${src} ${whereSql}),
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
