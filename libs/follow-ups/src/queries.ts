import { DataSource } from 'typeorm';
import { decodeKeyset, encodeKeyset } from '@app/recording';
import { FollowUpListStatus } from './policy';

/** A revisit on the working list. Ids, codes and dates only. */
export interface FollowUpView {
  followUpId: string;
  familyId: string;
  episode: number;
  authority: string;
  programme: string;
  exitType: string;
  exitedAt: string;
  status: FollowUpListStatus;
  dueAt: string;
  window: { opensAt: string; closesAt: string };
  overdueAt: string;
  policyVersion: number;
  dueRecordedAt: string | null;
  assignedWorker: string | null;
  completedAt: string | null;
  completedOnTime: boolean | null;
  missedAt: string | null;
  missedReason: string | null;
  cancelledAt: string | null;
  cancelledReason: string | null;
}

export interface FollowUpFilter {
  status?: FollowUpListStatus;
  authority?: string;
  dueFrom?: Date;
  dueTo?: Date;
}

export interface FollowUpCursor {
  dueAt: string;
  followUpId: string;
}

export interface FollowUpPage {
  items: FollowUpView[];
  nextCursor: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The derived status in SQL, the same rule as `statusAt` in policy.ts: resolved outcomes stay,
 * a pending revisit past `overdue_at` (by the clock, `$1`) is overdue.
 */
const STATUS_SQL = `CASE
  WHEN status IN ('completed', 'missed', 'cancelled') THEN status
  WHEN overdue_at < $1 THEN 'overdue'
  ELSE status END`;

const STATUS_WHERE: Record<FollowUpListStatus, string> = {
  scheduled: `status = 'scheduled' AND overdue_at >= $1`,
  due: `status = 'due' AND overdue_at >= $1`,
  overdue: `status IN ('scheduled', 'due') AND overdue_at < $1`,
  completed: `status = 'completed'`,
  missed: `status = 'missed'`,
  cancelled: `status = 'cancelled'`,
};

interface Row {
  follow_up_id: string;
  family_id: string;
  episode: number;
  authority: string;
  programme: string;
  exit_type: string;
  exited_at: Date;
  derived_status: FollowUpListStatus;
  due_at: Date;
  window_opens_at: Date;
  window_closes_at: Date;
  overdue_at: Date;
  policy_version: number;
  due_recorded_at: Date | null;
  assigned_worker: string | null;
  completed_at: Date | null;
  completed_on_time: boolean | null;
  missed_at: Date | null;
  missed_reason: string | null;
  cancelled_at: Date | null;
  cancelled_reason: string | null;
}

const toView = (r: Row): FollowUpView => ({
  followUpId: r.follow_up_id,
  familyId: r.family_id,
  episode: r.episode,
  authority: r.authority,
  programme: r.programme,
  exitType: r.exit_type,
  exitedAt: r.exited_at.toISOString(),
  status: r.derived_status,
  dueAt: r.due_at.toISOString(),
  window: { opensAt: r.window_opens_at.toISOString(), closesAt: r.window_closes_at.toISOString() },
  overdueAt: r.overdue_at.toISOString(),
  policyVersion: r.policy_version,
  dueRecordedAt: iso(r.due_recorded_at),
  assignedWorker: r.assigned_worker,
  completedAt: iso(r.completed_at),
  completedOnTime: r.completed_on_time,
  missedAt: iso(r.missed_at),
  missedReason: r.missed_reason,
  cancelledAt: iso(r.cancelled_at),
  cancelledReason: r.cancelled_reason,
});

const COLUMNS = `follow_up_id, family_id, episode, authority, programme, exit_type, exited_at,
  ${STATUS_SQL} AS derived_status, due_at, window_opens_at, window_closes_at, overdue_at,
  policy_version, due_recorded_at, assigned_worker, completed_at, completed_on_time, missed_at,
  missed_reason, cancelled_at, cancelled_reason`;

export const encodeFollowUpCursor = (c: FollowUpCursor) => encodeKeyset(c.dueAt, c.followUpId);

export function decodeFollowUpCursor(cursor: string): FollowUpCursor | undefined {
  const keyset = decodeKeyset(cursor);
  return keyset && { dueAt: keyset[0], followUpId: keyset[1] };
}

/** Revisits (scheduled or later) in due-date order, keyset-paginated; statuses as at `at`. */
export async function listFollowUps(
  db: DataSource,
  filter: FollowUpFilter,
  at: Date,
  limit: number,
  after?: FollowUpCursor,
): Promise<FollowUpPage> {
  const params: unknown[] = [at.toISOString()];
  const where = [`status <> 'unscheduled'`];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.status) where.push(STATUS_WHERE[filter.status]);
  if (filter.authority) add('authority = ?', filter.authority);
  if (filter.dueFrom) add('due_at >= ?', filter.dueFrom.toISOString());
  if (filter.dueTo) add('due_at <= ?', filter.dueTo.toISOString());
  if (after) {
    params.push(after.dueAt, after.followUpId);
    where.push(`(due_at, follow_up_id) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(limit + 1);
  const rows = (await db.query(
    `SELECT ${COLUMNS} FROM follow_ups WHERE ${where.join(' AND ')}
     ORDER BY due_at, follow_up_id LIMIT $${params.length}`,
    params,
  )) as Row[];
  const items = rows.slice(0, limit).map(toView);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeFollowUpCursor({ dueAt: last.dueAt, followUpId: last.followUpId })
        : null,
  };
}

/** How many revisits are in each status as at `at`, per authority (for metrics). */
export async function followUpCounts(
  db: DataSource,
  at: Date,
): Promise<{ authority: string; status: FollowUpListStatus; count: number }[]> {
  const statuses = Object.keys(STATUS_WHERE) as FollowUpListStatus[];
  const rows = (await db.query(
    `SELECT authority, ${statuses
      .map((s) => `count(*) FILTER (WHERE ${STATUS_WHERE[s]})::int AS ${s}`)
      .join(', ')}
     FROM follow_ups GROUP BY authority ORDER BY authority`,
    [at.toISOString()],
  )) as ({ authority: string } & Record<FollowUpListStatus, number>)[];
  return rows.flatMap((row) =>
    statuses.map((status) => ({ authority: row.authority, status, count: row[status] })),
  );
}

/** Where a revisit lives (for commands on it); undefined if no such follow-up was scheduled. */
export async function findFollowUp(
  db: DataSource,
  followUpId: string,
): Promise<{ familyId: string; episode: number; authority: string } | undefined> {
  const rows = (await db.query(
    `SELECT family_id, episode, authority FROM follow_ups
     WHERE follow_up_id = $1 AND status <> 'unscheduled'`,
    [followUpId],
  )) as { family_id: string; episode: number; authority: string }[];
  return (
    rows[0] && {
      familyId: rows[0].family_id,
      episode: rows[0].episode,
      authority: rows[0].authority,
    }
  );
}

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
export interface FollowUpCohort {
  authority?: string;
  programme?: string;
  referredFrom?: string;
  referredBefore?: string;
  exitedFrom?: string;
  exitedBefore?: string;
}

export async function followUpRates(
  db: DataSource,
  cohort: FollowUpCohort,
  at: Date,
): Promise<FollowUpRates> {
  const params: unknown[] = [at.toISOString()];
  const where = [`f.status <> 'unscheduled'`];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (cohort.authority) add('f.authority = ?', cohort.authority);
  if (cohort.programme) add('f.programme = ?', cohort.programme);
  if (cohort.exitedFrom) add('f.exited_at >= ?', cohort.exitedFrom);
  if (cohort.exitedBefore) add('f.exited_at < ?', cohort.exitedBefore);
  // The referral date is the episode's, kept by the outcomes read model.
  const byReferral = cohort.referredFrom || cohort.referredBefore;
  if (cohort.referredFrom) add('e.referred_at >= ?', cohort.referredFrom);
  if (cohort.referredBefore) add('e.referred_at < ?', cohort.referredBefore);
  const [r] = (await db.query(
    `SELECT
       count(*) FILTER (WHERE f.status <> 'cancelled')::int AS scheduled,
       count(*) FILTER (WHERE f.status = 'completed')::int AS completed,
       count(*) FILTER (WHERE f.status = 'completed' AND f.completed_on_time)::int AS on_time,
       count(*) FILTER (WHERE f.status = 'missed')::int AS missed,
       count(*) FILTER (WHERE f.status IN ('scheduled', 'due') AND f.overdue_at < $1)::int AS overdue,
       count(*) FILTER (WHERE f.status = 'cancelled')::int AS cancelled
     FROM follow_ups f
     ${byReferral ? 'JOIN outcome_episodes e ON e.family_id = f.family_id AND e.episode = f.episode' : ''}
     WHERE ${where.join(' AND ')}`,
    params,
  )) as Record<
    'scheduled' | 'completed' | 'on_time' | 'missed' | 'overdue' | 'cancelled',
    number
  >[];
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
