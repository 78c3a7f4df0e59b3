/** The cohort summary: every referral accounted for, and the input measures of planned exits. */
import { EXIT_TYPES, ExitType, RefusalStage } from '@app/domain';
import type { Published } from './cells';
import { countedSql, keyedEpisodes, shownCount } from './cells.queries';
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

/**
 * The summary over `source`. `published`: under cell-key perturbation, every count is a keyed cell
 * published through it; the accounting's totals (and `referred`) are the sums of its published
 * places, so every referral is still in exactly one place. Means and medians are over the true
 * values (they are not counts), rounded.
 */
export async function cohortSummary(
  db: Queryable,
  filter: CohortFilter,
  source: EpisodeSource = LIVE,
  published?: Published,
): Promise<CohortSummary> {
  const params: unknown[] = [];
  const src = fromSql(source, params);
  const clauses = filterSql(filter, params);
  const rk = published ? `, ${published.keys(params)} AS rk` : '';
  const whereSql = `WHERE ${[...clauses, `NOT (${excludedForConsentSql})`].join(' AND ')}`;
  const excluded = published
    ? published.publish(
        await keyedEpisodes(db, filter, source, published.keys, excludedForConsentSql),
      )
    : await excludedEpisodes(db, filter, source);
  const counted = countedSql(published);
  // Over rows the consent rule has already filtered (above).
  const isPlanned = eligibleSql('planned_exits');
  const days = `extract(epoch FROM e.exited_at - coalesce(e.accepted_at, e.referred_at)) / 86400`;
  const refusedAt = REFUSAL_STAGES.map((s) =>
    counted(`e.status = 'refused' AND e.refusal_stage = '${s}'`, `refused_${s}`),
  );
  const exitedBy = OTHER_EXITS.map((t) =>
    counted(`e.status = 'exited' AND e.exit_type = '${t}'`, `exit_${t}`),
  );
  const sql = `
    WITH s AS (
      -- Only what the summary reads: a national cohort is materialised once for both passes.
      SELECT e.status, e.exit_type, e.refusal_stage, e.offered_at, e.accepted_at, e.referred_at,
             e.exited_at, e.moved_area, e.early_weekly_hours, e.late_weekly_hours,
             CASE WHEN ${isPlanned} THEN e.support_types END AS support_types${rk}
      FROM ${src} ${whereSql}),
    totals AS (
      SELECT ${counted(null, 'referred')},
        ${counted('e.offered_at IS NOT NULL', 'offered')},
        ${counted('e.accepted_at IS NOT NULL', 'accepted')},
        ${counted(`e.status = 'referred'`, 'awaiting_offer')},
        ${counted(`e.status = 'offered'`, 'awaiting_decision')},
        ${refusedAt.join(',\n        ')},
        ${counted(`e.status = 'accepted'`, 'ongoing')},
        ${counted(isPlanned, 'planned')},
        ${exitedBy.join(',\n        ')},
        ${counted('e.moved_area', 'moved_area')},
        ${counted(isPlanned, 'days_n')},
        avg(${days}) FILTER (WHERE ${isPlanned}) AS days_mean,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days}) FILTER (WHERE ${isPlanned}) AS days_median,
        ${counted(`${isPlanned} AND e.early_weekly_hours IS NOT NULL`, 'early_n')},
        avg(e.early_weekly_hours) FILTER (WHERE ${isPlanned}) AS early_mean,
        ${counted(`${isPlanned} AND e.late_weekly_hours IS NOT NULL`, 'late_n')},
        avg(e.late_weekly_hours) FILTER (WHERE ${isPlanned}) AS late_mean
      FROM s e
    ),
    support AS (
      SELECT t AS type, ${counted(null, 'families')}
      FROM s e CROSS JOIN LATERAL unnest(e.support_types) AS t
      WHERE ${isPlanned}
      GROUP BY t
    )
    SELECT to_jsonb(totals) AS totals,
           (SELECT coalesce(jsonb_agg(to_jsonb(support) ORDER BY support.type), '[]') FROM support) AS support
    FROM totals`;
  const [row] = (await db.query(sql, params)) as {
    totals: Record<string, number | string | null>;
    support: ({ type: string } & Record<string, number | string>)[];
  }[];
  const t = row.totals;
  /** A count as shown: published (perturbed), or the true count. */
  const shown = shownCount(published);
  const n = (k: string) => shown(t, k);
  /**
   * A mean or median; published, rounded to `places` (whole days, tenths of an hour): a full
   * precision mean beside a perturbed n gives the true n away (mean × n is a whole number of days
   * for one n only), and the difference of two gives one family's value.
   */
  const maybe = (k: string, places: number) => {
    if (t[k] === null || t[k] === undefined) return null;
    if (!published) return Number(t[k]);
    const f = 10 ** places;
    return Math.round(Number(t[k]) * f) / f;
  };
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
  const accounting = {
    awaitingOffer: n('awaiting_offer'),
    awaitingDecision: n('awaiting_decision'),
    refused: { total: sum(refused), byStage: refused },
    ongoing: n('ongoing'),
    plannedExits: planned,
    otherExits: { total: sum(exits), byReason: exits },
  };
  const places =
    accounting.awaitingOffer +
    accounting.awaitingDecision +
    accounting.refused.total +
    accounting.ongoing +
    planned +
    accounting.otherExits.total;
  return {
    excludedForConsent: excluded,
    referred: published ? places : n('referred'),
    offered: n('offered'),
    accepted: n('accepted'),
    accounting,
    movedArea: n('moved_area'),
    inputs: {
      daysToPlannedExit: {
        n: n('days_n'),
        mean: maybe('days_mean', 0),
        median: maybe('days_median', 0),
      },
      weeklyContactHours: {
        supportPlanToFirstReview: { n: n('early_n'), mean: maybe('early_mean', 1) },
        lastReviewToExit: { n: n('late_n'), mean: maybe('late_mean', 1) },
      },
      supportTypes: row.support.map((s) => {
        const families = shown(s, 'families');
        return { type: s.type, families, pct: planned ? (100 * families) / planned : 0 };
      }),
    },
  };
}
