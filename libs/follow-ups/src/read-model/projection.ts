import { FAMILY_STREAM_PREFIX, FamilyEvent } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { Projection } from '@app/projections';
import type { EntityManager } from 'typeorm';
import { FOLLOW_UP_FOLD_EVENTS, FollowUpFamilyRow, FollowUpFold, emptyFollowUpRow } from './evolve';
import { fromStored, toStored } from './rows';

const familyIdOf = (streamId: string) => streamId.slice(FAMILY_STREAM_PREFIX.length);

/**
 * `follow_ups`: one row per exited family episode, from the exit to the revisit's outcome, folded
 * by `FollowUpFold` (evolve.ts). Exits the policy does not cover stay unscheduled (`none`); the
 * scheduler reads this table to decide, so the table itself holds only recorded facts (a rebuild
 * gives the same rows whatever the policy). A re-referral is noted on the previous episode's row
 * (`re_referred_at`) for the scheduler to cancel a pending revisit. `follow_up_families` tracks
 * each family's current episode.
 */
export class FollowUpsProjection implements Projection {
  readonly name = 'follow_ups';
  readonly tables = ['follow_ups', 'follow_up_families'] as const;

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const relevant = events.filter((e) => FOLLOW_UP_FOLD_EVENTS.has(e.type));
    if (!relevant.length) return;
    const ids = [...new Set(relevant.map((e) => familyIdOf(e.streamId)))];
    const families = new Map(
      (
        (await tx.query('SELECT * FROM follow_up_families WHERE family_id = ANY($1)', [
          ids,
        ])) as FollowUpFamilyRow[]
      ).map((f) => [f.family_id, f]),
    );
    const rows = new Map(
      (
        (await tx.query('SELECT * FROM follow_ups WHERE family_id = ANY($1)', [ids])) as Record<
          string,
          unknown
        >[]
      ).map((r) => [r.follow_up_id as string, fromStored(r)]),
    );
    const fold = new FollowUpFold(families, rows);
    for (const recorded of relevant) {
      fold.apply(
        familyIdOf(recorded.streamId),
        recorded as unknown as FamilyEvent,
        recorded.position.toString(),
        recorded.metadata.recordedAt,
      );
    }

    if (fold.touchedFamilies.size) {
      await tx.query(
        `INSERT INTO follow_up_families
         SELECT * FROM jsonb_populate_recordset(null::follow_up_families, $1::jsonb)
         ON CONFLICT (family_id) DO UPDATE SET
           authority = excluded.authority, programme = excluded.programme,
           episode = excluded.episode`,
        [JSON.stringify([...fold.touchedFamilies].map((id) => families.get(id)))],
      );
    }
    if (fold.touchedRows.size) {
      const columns = Object.keys(emptyFollowUpRow()).filter((c) => c !== 'follow_up_id');
      await tx.query(
        `INSERT INTO follow_ups
         SELECT * FROM jsonb_populate_recordset(null::follow_ups, $1::jsonb)
         ON CONFLICT (follow_up_id) DO UPDATE SET
         ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        [JSON.stringify([...fold.touchedRows].map((id) => toStored(rows.get(id)!)))],
      );
    }
  }
}
