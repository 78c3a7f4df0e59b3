import { FamilyEvent } from '@app/domain';
import {
  FOLLOW_UP_FOLD_EVENTS,
  FollowUpFamilyRow,
  FollowUpFold,
  FollowUpRow,
  emptyFollowUpRow,
} from '@app/follow-ups/fold';
import { RecordedEvent } from '@app/event-store';
import { EntityManager } from 'typeorm';
import { Projection } from './projection';
import { familyIdOf } from './streams';

export type { FollowUpRow };

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));

/**
 * `follow_ups`: one row per exited family episode, from the exit to the revisit's outcome, folded
 * by `FollowUpFold` (@app/follow-ups). Exits the policy does not cover stay `unscheduled`; the
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
        (await tx.query('SELECT * FROM follow_ups WHERE family_id = ANY($1)', [
          ids,
        ])) as FollowUpRow[]
      ).map((r) => [r.follow_up_id, normalise(r)]),
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
        [JSON.stringify([...fold.touchedRows].map((id) => rows.get(id)))],
      );
    }
  }
}

/** Dates from the driver back to ISO strings, so comparisons and JSON are uniform. */
function normalise(row: FollowUpRow): FollowUpRow {
  const out = { ...row } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) out[k] = iso(v);
  out.completion_assessment = row.completion_assessment;
  return out as unknown as FollowUpRow;
}
