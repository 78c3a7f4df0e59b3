/**
 * What the follow-up engine reads from `follow_ups` to decide what to ask the domain: exits not
 * yet scheduled, pending revisits of re-referred families, revisits due by a time. Keyset pages.
 */
import { ExitType } from '@app/domain';
import { DataSource } from 'typeorm';
import { storedStatus } from './status';

/** An exit or a revisit as the engine needs it: ids and dates only. */
export interface RevisitRef {
  follow_up_id: string;
  family_id: string;
  episode: number;
  authority: string;
}

export const FIRST_FOLLOW_UP_ID = '00000000-0000-0000-0000-000000000000';

/** Exits not yet scheduled, of `exitTypes` (null: all), with a re-referral only if `keep`. */
export function unscheduledExits(
  db: Pick<DataSource, 'query'>,
  exitTypes: readonly ExitType[] | null,
  keepReReferred: boolean,
  after: string,
  limit: number,
): Promise<(RevisitRef & { exited_at: Date })[]> {
  return db.query(
    `SELECT follow_up_id, family_id, episode, authority, exited_at FROM follow_ups
     WHERE status = '${storedStatus('none')}' AND follow_up_id > $1
       AND ($2::text[] IS NULL OR exit_type = ANY($2))
       AND ($3 OR re_referred_at IS NULL)
     ORDER BY follow_up_id LIMIT ${limit}`,
    [after, exitTypes && [...exitTypes], keepReReferred],
  );
}

/** Pending revisits (scheduled or due) of families referred again since. */
export function reReferredPending(
  db: Pick<DataSource, 'query'>,
  after: string,
  limit: number,
): Promise<(RevisitRef & { re_referred_at: Date })[]> {
  return db.query(
    `SELECT follow_up_id, family_id, episode, authority, re_referred_at FROM follow_ups
     WHERE status IN ('scheduled', 'due') AND re_referred_at IS NOT NULL
       AND follow_up_id > $1
     ORDER BY follow_up_id LIMIT ${limit}`,
    [after],
  );
}

/** Scheduled revisits (no `FollowUpDue` yet) due by `until`, in due order after `after`. */
export function scheduledDueBy(
  db: Pick<DataSource, 'query'>,
  until: string,
  after: [string, string],
  limit: number,
): Promise<(RevisitRef & { due_at: Date })[]> {
  return db.query(
    `SELECT follow_up_id, family_id, episode, authority, due_at FROM follow_ups
     WHERE status = 'scheduled' AND due_at <= $1 AND (due_at, follow_up_id) > ($2, $3)
     ORDER BY due_at, follow_up_id LIMIT ${limit}`,
    [until, ...after],
  );
}
