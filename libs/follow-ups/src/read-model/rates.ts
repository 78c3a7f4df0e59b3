import { CohortFilter, LIVE, Published, cell, fromSql, keyedCount } from '@app/outcomes';
import { DataSource } from 'typeorm';
import { conditionAdder } from '@app/projections/sql';
import { FollowUpRow } from './evolve';
import { toStored } from './rows';
import { scheduledWhere, statusSql, statusWhere } from './status';

/** For the cohort summary: how many revisits were done, and done on time. */
export interface FollowUpRates {
  /** Revisits scheduled and not cancelled. */
  scheduled: number;
  completed: number;
  completedOnTime: number;
  missed: number;
  /** Pending revisits past their overdue date at `at`. */
  overdue: number;
  cancelled: number;
  /** completed / (completed + missed + overdue): of the revisits whose time has come and gone. */
  completionRate: number | null;
  /** completedOnTime / completed. */
  onTimeRate: number | null;
}

/**
 * The cohort, as the outcomes queries take it (ISO dates; `…From` inclusive, `…Before` exclusive),
 * so the summary's follow-up rates cover exactly the families of its other figures.
 */
export type FollowUpCohort = CohortFilter;

/**
 * Where the rates read revisits: the live `follow_ups` table, or (for "as at" answers) rows folded
 * from the events recorded by then, with their episodes' referral dates.
 */
export type FollowUpSource =
  | { kind: 'table' }
  | {
      kind: 'rows';
      rows: FollowUpRow[];
      referrals: { family_id: string; episode: number; referred_at: string }[];
    };

/**
 * The rates over the cohort's revisits. `published`: under cell-key perturbation, each status is a
 * keyed cell published through it (completed on time and late apart, and pending), and the
 * totals are the sums of their published cells; the rates follow from the published counts.
 */
export async function followUpRates(
  db: Pick<DataSource, 'query'>,
  cohort: FollowUpCohort,
  at: Date,
  source: FollowUpSource = { kind: 'table' },
  published?: Published,
): Promise<FollowUpRates> {
  const params: unknown[] = [at.toISOString()];
  let revisits = 'follow_ups f';
  // The outcomes slice's live episodes table, aliased `e`.
  let episodes = fromSql(LIVE, params);
  const byReferral = cohort.referredFrom || cohort.referredBefore;
  if (source.kind === 'rows') {
    params.push(JSON.stringify(source.rows.map(toStored)));
    revisits = `jsonb_populate_recordset(null::follow_ups, $${params.length}::jsonb) f`;
    if (byReferral) {
      params.push(JSON.stringify(source.referrals));
      episodes = `jsonb_to_recordset($${params.length}::jsonb)
        AS e(family_id uuid, episode int, referred_at timestamptz)`;
    }
  }
  const where = [scheduledWhere('f')];
  const add = conditionAdder(params, where);
  if (cohort.authority) add('f.authority = ?', cohort.authority);
  if (cohort.programme) add('f.programme = ?', cohort.programme);
  if (cohort.exitedFrom) add('f.exited_at >= ?', cohort.exitedFrom);
  if (cohort.exitedBefore) add('f.exited_at < ?', cohort.exitedBefore);
  // The referral date is the episode's, kept by the outcomes read model.
  if (cohort.referredFrom) add('e.referred_at >= ?', cohort.referredFrom);
  if (cohort.referredBefore) add('e.referred_at < ?', cohort.referredBefore);
  if (published) {
    const status = (s: 'cancelled' | 'completed' | 'missed' | 'overdue') =>
      statusWhere(s, '$1', 'f');
    const cells = {
      on_time: `${status('completed')} AND f.completed_on_time`,
      late: `${status('completed')} AND f.completed_on_time IS NOT TRUE`,
      missed: status('missed'),
      overdue: status('overdue'),
      cancelled: status('cancelled'),
      pending: (['cancelled', 'completed', 'missed', 'overdue'] as const)
        .map((s) => `(${status(s)}) IS NOT TRUE`)
        .join(' AND '),
    };
    const rk = published.keys(params, 'f');
    // The revisits as they stand at `at` widen the scope: a change of one revisit's status
    // re-keys every revisit cell, not just the ones it moved between.
    const state = published.keys(
      params,
      'f',
      `${statusSql('$1', 'f')} || '|' || coalesce(f.completed_on_time::text, '')`,
    );
    const [row] = (await db.query(
      `SELECT ${Object.entries(cells)
        .map(([alias, condition]) => keyedCount(condition, alias))
        .join(', ')},
         coalesce(sum(rs), 0) % 4294967296 AS state
       FROM (SELECT f.*, ${rk} AS rk, ${state} AS rs FROM ${revisits}
         ${byReferral ? `JOIN ${episodes} ON e.family_id = f.family_id AND e.episode = f.episode` : ''}
         WHERE ${where.join(' AND ')}) f`,
      params,
    )) as Record<string, string>[];
    const publish = published.within?.({ count: 0, key: Number(row.state) }) ?? published.publish;
    const p = Object.fromEntries(
      Object.keys(cells).map((k) => [k, publish(cell(row, k))]),
    ) as Record<keyof typeof cells, number>;
    const completed = p.on_time + p.late;
    return rates({
      scheduled: completed + p.missed + p.overdue + p.pending,
      completed,
      on_time: p.on_time,
      missed: p.missed,
      overdue: p.overdue,
      cancelled: p.cancelled,
    });
  }
  const [r] = (await db.query(
    `SELECT
       count(*) FILTER (WHERE NOT (${statusWhere('cancelled', '$1', 'f')}))::int AS scheduled,
       count(*) FILTER (WHERE ${statusWhere('completed', '$1', 'f')})::int AS completed,
       count(*) FILTER (WHERE ${statusWhere('completed', '$1', 'f')} AND f.completed_on_time)::int
         AS on_time,
       count(*) FILTER (WHERE ${statusWhere('missed', '$1', 'f')})::int AS missed,
       count(*) FILTER (WHERE ${statusWhere('overdue', '$1', 'f')})::int AS overdue,
       count(*) FILTER (WHERE ${statusWhere('cancelled', '$1', 'f')})::int AS cancelled
     FROM ${revisits}
     ${byReferral ? `JOIN ${episodes} ON e.family_id = f.family_id AND e.episode = f.episode` : ''}
     WHERE ${where.join(' AND ')}`,
    params,
  )) as Record<
    'scheduled' | 'completed' | 'on_time' | 'missed' | 'overdue' | 'cancelled',
    number
  >[];
  return rates(r);
}

function rates(
  r: Record<'scheduled' | 'completed' | 'on_time' | 'missed' | 'overdue' | 'cancelled', number>,
): FollowUpRates {
  const closed = r.completed + r.missed + r.overdue;
  return {
    scheduled: r.scheduled,
    completed: r.completed,
    completedOnTime: r.on_time,
    missed: r.missed,
    overdue: r.overdue,
    cancelled: r.cancelled,
    completionRate: closed ? r.completed / closed : null,
    onTimeRate: r.completed ? r.on_time / r.completed : null,
  };
}
