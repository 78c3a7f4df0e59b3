/** The working list of revisits: the only SQL that reads `follow_ups` for people. */
import { familyReference } from '@app/domain';
import { familyIdsOfKeyWorkerSql, keyWorkerOfSql } from '@app/read-models/families';
import { DataSource } from 'typeorm';
import { conditionAdder } from '@app/projections/sql';
import { decodeKeyset, encodeKeyset } from '@app/recording';
import {
  FollowUpListStatus,
  LIST_STATUSES,
  scheduledWhere,
  statusSql,
  statusWhere,
} from './status';

/** A revisit on the working list. Ids, codes and dates only. */
export interface FollowUpView {
  followUpId: string;
  familyId: string;
  /** A short reference to say aloud or write down (from the family id; see `familyReference`). */
  familyReference: string;
  /** The family's current key worker (KeyWorkerAssigned, LeadWorkerChanged). */
  keyWorker: string | null;
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
  /** Whole days past `overdueAt` as at the list's clock; null unless the revisit is overdue. */
  daysOverdue: number | null;
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
  /** The worker the revisit is assigned to. */
  assignedWorker?: string;
  /** The family's current key worker. */
  keyWorker?: string;
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

interface Row {
  follow_up_id: string;
  family_id: string;
  key_worker: string | null;
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

const DAY = 86_400_000;

const toView = (r: Row, at: Date): FollowUpView => ({
  followUpId: r.follow_up_id,
  familyId: r.family_id,
  familyReference: familyReference(r.family_id),
  keyWorker: r.key_worker,
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
  daysOverdue:
    r.derived_status === 'overdue'
      ? Math.floor((at.getTime() - r.overdue_at.getTime()) / DAY)
      : null,
  completedAt: iso(r.completed_at),
  completedOnTime: r.completed_on_time,
  missedAt: iso(r.missed_at),
  missedReason: r.missed_reason,
  cancelledAt: iso(r.cancelled_at),
  cancelledReason: r.cancelled_reason,
});

const COLUMNS = `follow_up_id, family_id,
  ${keyWorkerOfSql('follow_ups.family_id')} AS key_worker,
  episode, authority, programme, exit_type, exited_at,
  ${statusSql()} AS derived_status, due_at, window_opens_at, window_closes_at, overdue_at,
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
  // Scheduled or later; a revisit done before it was ever scheduled (an old stream's bare
  // one-year-on assessment) has no due date to list it by: it counts in the figures only.
  const where = [scheduledWhere(), 'due_at IS NOT NULL'];
  const add = conditionAdder(params, where);
  if (filter.status) where.push(statusWhere(filter.status));
  if (filter.authority) add('authority = ?', filter.authority);
  if (filter.assignedWorker) add('assigned_worker = ?', filter.assignedWorker);
  if (filter.keyWorker) {
    add(`family_id IN (${familyIdsOfKeyWorkerSql('?')})`, filter.keyWorker);
  }
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
  const items = rows.slice(0, limit).map((r) => toView(r, at));
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
  const statuses = LIST_STATUSES;
  const rows = (await db.query(
    `SELECT authority, ${statuses
      .map((s) => `count(*) FILTER (WHERE ${statusWhere(s)})::int AS ${s}`)
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
     WHERE follow_up_id = $1 AND ${scheduledWhere()}`,
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
