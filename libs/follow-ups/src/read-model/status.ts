/**
 * A revisit's status: the domain's `FollowUpStatus` is the one vocabulary. What a worker sees adds
 * `overdue`, derived from the clock, never recorded. The rule for it is written once, as data
 * (`LIST_STATUS`); `statusAt` evaluates it in TypeScript and `statusWhere`/`STATUS_SQL` render it
 * to SQL, so the list, the counts and the rates cannot drift from it (status.int-spec.ts holds the
 * two equal over generated revisits).
 */
import { FollowUpStatus, IsoDateTime } from '@app/domain';

export type RecordedFollowUpStatus = FollowUpStatus;
/** What a worker sees: `overdue` is derived from the clock, never recorded. */
export type FollowUpListStatus = Exclude<FollowUpStatus, 'none'> | 'overdue';

/**
 * How the `follow_ups` table spells a status: `unscheduled` for the domain's `none` (the stored
 * word, kept so stored rows and their partial indexes stay valid). The only place the two meet.
 */
export const storedStatus = (status: FollowUpStatus): string =>
  status === 'none' ? 'unscheduled' : status;
export const statusFromStored = (stored: string): FollowUpStatus =>
  (stored === 'unscheduled' ? 'none' : stored) as FollowUpStatus;

/** A condition on a revisit's recorded status and, at a clock time, whether it is past overdue. */
interface Condition {
  recorded: readonly FollowUpStatus[];
  /** true: `overdueAt` before the clock; false: on or after it; absent: not asked. */
  pastOverdue?: boolean;
}

/**
 * The list status at a clock time. Resolved revisits keep their outcome; a pending one is overdue
 * once the clock passes `overdueAt`, otherwise due once `FollowUpDue` is recorded, otherwise
 * scheduled. The conditions are exclusive: a revisit has at most one.
 */
export const LIST_STATUS: Readonly<Record<FollowUpListStatus, Condition>> = {
  scheduled: { recorded: ['scheduled'], pastOverdue: false },
  due: { recorded: ['due'], pastOverdue: false },
  overdue: { recorded: ['scheduled', 'due'], pastOverdue: true },
  completed: { recorded: ['completed'] },
  missed: { recorded: ['missed'] },
  cancelled: { recorded: ['cancelled'] },
};

export const LIST_STATUSES = Object.keys(LIST_STATUS) as FollowUpListStatus[];

/** Whether `LIST_STATUS[status]` holds for a revisit at a clock time (as SQL compares). */
export function hasListStatus(
  status: FollowUpListStatus,
  followUp: { status: FollowUpStatus; overdueAt: IsoDateTime | null },
  at: Date,
): boolean {
  const c = LIST_STATUS[status];
  if (!c.recorded.includes(followUp.status)) return false;
  if (c.pastOverdue === undefined) return true;
  // As SQL compares: no overdue date is neither past nor not past.
  if (followUp.overdueAt === null) return false;
  return Date.parse(followUp.overdueAt) < at.getTime() === c.pastOverdue;
}

/**
 * Status at a clock time, by `LIST_STATUS`; where none holds (not scheduled yet, or no overdue
 * date), the recorded status.
 */
export function statusAt(
  followUp: { status: FollowUpStatus; overdueAt: IsoDateTime | null },
  at: Date,
): FollowUpListStatus | 'none' {
  return LIST_STATUSES.find((s) => hasListStatus(s, followUp, at)) ?? followUp.status;
}

const quoted = (statuses: readonly FollowUpStatus[]) =>
  statuses.map((s) => `'${storedStatus(s)}'`).join(', ');

/**
 * `LIST_STATUS[status]` in SQL over a `follow_ups` row (`alias.` prefixed when given), with the
 * clock as the parameter `clock` (e.g. `$1`).
 */
export function statusWhere(status: FollowUpListStatus, clock = '$1', alias = ''): string {
  const c = LIST_STATUS[status];
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  const recorded =
    c.recorded.length === 1
      ? `${col('status')} = ${quoted(c.recorded)}`
      : `${col('status')} IN (${quoted(c.recorded)})`;
  if (c.pastOverdue === undefined) return recorded;
  return `${recorded} AND ${col('overdue_at')} ${c.pastOverdue ? '<' : '>='} ${clock}`;
}

/** The list status in SQL (`statusAt`), the stored status where none holds. */
export const statusSql = (clock = '$1', alias = '') =>
  `CASE ${LIST_STATUSES.map((s) => `WHEN ${statusWhere(s, clock, alias)} THEN '${s}'`).join(' ')}
  ELSE ${alias ? `${alias}.` : ''}status END`;

/** SQL: the revisit has been scheduled (the working list and the rates skip the rest). */
export const scheduledWhere = (alias = '') =>
  `${alias ? `${alias}.` : ''}status <> '${storedStatus('none')}'`;
