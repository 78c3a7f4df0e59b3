/*
 * The only SQL that reads `family_timeline`: for the API, for the other slices' "as at" folds, for
 * returns. The table keeps each event as it was stored; every read here hands it on upcast
 * (`upcastFamilyEvent`), so a fold over it counts an old stream as the projections do.
 */
import { type FamilyEvent, upcastFamilyEvent } from '@app/domain';
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
  const rows = (await db.query(
    `SELECT event_id, type, occurred_at, recorded_at, revision, position, data
     FROM family_timeline WHERE family_id = $1 ORDER BY occurred_at, position`,
    [familyId],
  )) as TimelineRow[];
  return rows.map(upcastFamilyEvent);
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

// --- Reads for the other slices' "as at" folds and for returns ----------------------------------

/** A timeline row as the "as at" folds read it (bigint columns as strings). */
export interface TimelineEventRow {
  family_id: string;
  revision: string;
  type: string;
  data: FamilyEvent['data'];
}

const FOLD_COLUMNS = 't.family_id, t.revision, t.type, t.data';

/**
 * SQL for the ids of the families an authority has had by a bound: referred to it or transferred
 * to it (by the events' own data), recorded at or before `bound` — a position, or with `by:
 * 'recorded_at'` an instant. `authority` and `bound` are SQL expressions. Which of them it owns
 * then is for the caller's fold to decide (a family transferred away by then counts for the
 * authority it went to).
 */
export const familiesReferredOrTransferredToSql = (
  authority: string,
  bound: string,
  by: 'position' | 'recorded_at' = 'position',
) => `
  SELECT r.family_id FROM family_timeline r
  WHERE r.type = 'FamilyReferred' AND r.data->>'authority' = ${authority} AND r.${by} <= ${bound}
  UNION
  SELECT r.family_id FROM family_timeline r
  WHERE r.type = 'FamilyTransferred' AND r.data->>'toAuthority' = ${authority} AND r.${by} <= ${bound}`;

/**
 * Events recorded by `asAt` (the metadata's `recordedAt`), by family in stream order: of the
 * given `types` if any; if `authority` is given, of the families it had had by then (the fold
 * decides which it held at `asAt`: a family transferred in or out since still counts where it was
 * then); with each event's position and recording time.
 */
export async function timelineRecordedBy(
  db: SqlQueryable,
  asAt: string,
  options: { types?: Iterable<string>; authority?: string } = {},
): Promise<(TimelineEventRow & { position: string; recorded_at: Date })[]> {
  const params: unknown[] = [asAt];
  const where = ['t.recorded_at <= $1'];
  if (options.types) {
    params.push([...options.types]);
    where.push(`t.type = ANY($${params.length})`);
  }
  if (options.authority) {
    params.push(options.authority);
    where.push(
      `t.family_id IN (${familiesReferredOrTransferredToSql(`$${params.length}`, '$1', 'recorded_at')})`,
    );
  }
  const rows = (await db.query(
    `SELECT ${FOLD_COLUMNS}, t.position, t.recorded_at FROM family_timeline t
     WHERE ${where.join(' AND ')}
     ORDER BY t.family_id, t.revision`,
    params,
  )) as (TimelineEventRow & { position: string; recorded_at: Date })[];
  return rows.map(upcastFamilyEvent);
}

/**
 * Events up to `position`, by family in stream order: of the families given (`ids`), or of those
 * `authority` has had by then (null: every family).
 */
export async function timelineUpTo(
  db: SqlQueryable,
  position: string,
  families: { ids: string[] } | { authority: string | null },
): Promise<TimelineEventRow[]> {
  const params: unknown[] = [position];
  let scope = '';
  if ('ids' in families) {
    params.push(families.ids);
    scope = 'AND t.family_id = ANY($2)';
  } else if (families.authority !== null) {
    params.push(families.authority);
    scope = `AND t.family_id IN (${familiesReferredOrTransferredToSql('$2', '$1')})`;
  }
  const rows = (await db.query(
    `SELECT ${FOLD_COLUMNS} FROM family_timeline t
     WHERE t.position <= $1 ${scope}
     ORDER BY t.family_id, t.revision`,
    params,
  )) as TimelineEventRow[];
  return rows.map(upcastFamilyEvent);
}

/**
 * Events recorded after position `from`, up to `to`, that happened in [occurredFrom,
 * occurredBefore), in log order; of the families `authority` has had by `to` (null: every family).
 */
export async function timelineLateEvents(
  db: SqlQueryable,
  window: { from: string; to: string; occurredFrom: string; occurredBefore: string },
  authority: string | null,
): Promise<Pick<TimelineRow, 'event_id' | 'type' | 'occurred_at' | 'recorded_at' | 'position'>[]> {
  return (await db.query(
    `SELECT t.event_id, t.type, t.occurred_at, t.recorded_at, t.position FROM family_timeline t
     WHERE t.position > $1 AND t.position <= $2
       AND t.occurred_at >= $3 AND t.occurred_at < $4
       ${authority === null ? '' : `AND t.family_id IN (${familiesReferredOrTransferredToSql('$5', '$2')})`}
     ORDER BY t.position`,
    [
      window.from,
      window.to,
      window.occurredFrom,
      window.occurredBefore,
      ...(authority === null ? [] : [authority]),
    ],
  )) as Pick<TimelineRow, 'event_id' | 'type' | 'occurred_at' | 'recorded_at' | 'position'>[];
}
