/*
 * The timeline read model, pure: a stored event makes one row (its evolve), and the "as at" fold
 * is the same over the events up to a position, in the order the API reads a family's timeline.
 */
import type { RecordedEvent } from '@app/event-store';
import { familyIdOf } from '../family-stream';

/** A `family_timeline` row as it is written (bigints as strings, timestamps as ISO strings). */
export interface TimelineRecord {
  position: string;
  event_id: string;
  family_id: string;
  revision: string;
  type: string;
  occurred_at: string;
  recorded_at: string;
  data: Record<string, unknown>;
}

/** The row one event makes: every event of a family is kept, as it was recorded. */
export const timelineRecord = (e: RecordedEvent): TimelineRecord => ({
  position: e.position.toString(),
  event_id: e.id,
  family_id: familyIdOf(e.streamId),
  revision: e.revision.toString(),
  type: e.type,
  occurred_at: (e.data as { occurredAt: string }).occurredAt,
  recorded_at: e.metadata.recordedAt,
  data: e.data,
});

/**
 * The "as at" fold: a family's timeline as it stood at `position`, in the order the API reads it
 * (`familyTimeline`: when it happened, then as recorded).
 */
export function timelineAsAt(
  events: Iterable<RecordedEvent>,
  familyId: string,
  position: bigint,
): TimelineRecord[] {
  return [...events]
    .filter((e) => e.position <= position && familyIdOf(e.streamId) === familyId)
    .map(timelineRecord)
    .sort(
      (a, b) =>
        Date.parse(a.occurred_at) - Date.parse(b.occurred_at) ||
        Number(BigInt(a.position) - BigInt(b.position)),
    );
}
