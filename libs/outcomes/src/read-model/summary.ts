/** The cohort summary: every referral accounted for, and the input measures of planned exits. */
import { EXIT_TYPES, ExitType, RefusalStage } from '@app/domain';
import { eligibleSql, excludedForConsentSql } from './cohort';
import { excludedEpisodes } from './outcomes.queries';
import { CohortFilter, EpisodeSource, LIVE, Queryable, filterSql, fromSql } from './source';

type OtherExit = Exclude<ExitType, 'planned'>;
const OTHER_EXITS = EXIT_TYPES.filter((t): t is OtherExit => t !== 'planned');
const REFUSAL_STAGES: readonly RefusalStage[] = ['offer', 'support_plan', 'intervention'];

export interface CohortSummary {
  /**
   * Referrals (episodes) left out of every figure below by the consent rule (`cohort.ts`): the
   * family withdrew consent to evaluation.
   */
  excludedForConsent: number;
  referred: number;
  offered: number;
  accepted: number;
  /** Every episode is in exactly one of these; they sum to `referred`. */
  accounting: {
    awaitingOffer: number;
    awaitingDecision: number;
    refused: { total: number; byStage: Record<RefusalStage, number> };
    ongoing: number;
    plannedExits: number;
    otherExits: { total: number; byReason: Record<OtherExit, number> };
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
  const src = fromSql(source, params);
  const clauses = filterSql(filter, params);
  const whereSql = `WHERE ${[...clauses, `NOT (${excludedForConsentSql})`].join(' AND ')}`;
  const excluded = await excludedEpisodes(db, filter, source);
  // Over rows the consent rule has already filtered (above).
  const isPlanned = eligibleSql('planned_exits');
  const days = `extract(epoch FROM e.exited_at - coalesce(e.accepted_at, e.referred_at)) / 86400`;
  const refusedAt = REFUSAL_STAGES.map(
    (s) =>
      `count(*) FILTER (WHERE e.status = 'refused' AND e.refusal_stage = '${s}') AS refused_${s}`,
  );
  const exitedBy = OTHER_EXITS.map(
    (t) => `count(*) FILTER (WHERE e.status = 'exited' AND e.exit_type = '${t}') AS exit_${t}`,
  );
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
        ${refusedAt.join(',\n        ')},
        count(*) FILTER (WHERE e.status = 'accepted') AS ongoing,
        count(*) FILTER (WHERE ${isPlanned}) AS planned,
        ${exitedBy.join(',\n        ')},
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
  const refused = Object.fromEntries(REFUSAL_STAGES.map((s) => [s, n(`refused_${s}`)])) as Record<
    RefusalStage,
    number
  >;
  const exits = Object.fromEntries(OTHER_EXITS.map((x) => [x, n(`exit_${x}`)])) as Record<
    OtherExit,
    number
  >;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const planned = n('planned');
  return {
    excludedForConsent: excluded,
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
