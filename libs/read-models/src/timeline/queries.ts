/* The only SQL that reads `family_timeline` for the API: a family's events, and its members'. */
import type { SqlQueryable } from '@app/event-store';

/** A `family_timeline` row as the API reads it (bigint columns as strings, as pg returns them). */
export interface TimelineRow {
  event_id: string;
  type: string;
  occurred_at: Date;
  recorded_at: Date;
  revision: string;
  position: string;
  data: Record<string, unknown>;
}

/** A family's events in the order they happened (then as recorded). */
export async function familyTimeline(db: SqlQueryable, familyId: string): Promise<TimelineRow[]> {
  return (await db.query(
    `SELECT event_id, type, occurred_at, recorded_at, revision, position, data
     FROM family_timeline WHERE family_id = $1 ORDER BY occurred_at, position`,
    [familyId],
  )) as TimelineRow[];
}

/** The events that name a family's members (the referral, then details), in log order. */
export async function memberEvents(
  db: SqlQueryable,
  familyId: string,
): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return (await db.query(
    `SELECT type, data FROM family_timeline
     WHERE family_id = $1 AND type IN ('FamilyReferred', 'MemberDetailsRecorded')
     ORDER BY position`,
    [familyId],
  )) as { type: string; data: Record<string, unknown> }[];
}
