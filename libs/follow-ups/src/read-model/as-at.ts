import { FamilyEvent } from '@app/domain';
import { timelineRecordedBy } from '@app/read-models/timeline';
import { DataSource } from 'typeorm';
import { FOLLOW_UP_FOLD_EVENTS, FollowUpFold, FollowUpRow } from './evolve';

/**
 * The revisits as the records stood at `asAt`: the events recorded by then (by `recordedAt`, kept
 * in `family_timeline`) folded by the read model's own fold. Families in scope as
 * `episodesAsAt` takes them (those the authority had had by then; the fold keeps the ones it held).
 */
export async function followUpsAsAt(
  db: Pick<DataSource, 'query'>,
  authority: string | undefined,
  asAt: string,
): Promise<FollowUpRow[]> {
  const rows = await timelineRecordedBy(db, asAt, {
    types: FOLLOW_UP_FOLD_EVENTS,
    authority,
  });
  return foldFollowUps(
    rows.map((r) => ({
      familyId: r.family_id,
      event: { type: r.type, data: r.data } as FamilyEvent,
      position: r.position,
      recordedAt: r.recorded_at.toISOString(),
    })),
  );
}

/** A family's event as the "as at" fold takes it. */
export interface StoredFamilyEvent {
  familyId: string;
  event: FamilyEvent;
  position: string;
  recordedAt: string;
}

/**
 * The "as at" fold: the read model's own evolve (`FollowUpFold`) over the events given (those up
 * to a position or a time, each family's in stream order), live, nothing persisted.
 */
export function foldFollowUps(events: Iterable<StoredFamilyEvent>): FollowUpRow[] {
  const fold = new FollowUpFold();
  for (const e of events) fold.apply(e.familyId, e.event, e.position, e.recordedAt);
  return [...fold.rows.values()];
}
