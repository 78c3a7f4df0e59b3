import { FamilyEvent, FamilyState } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { EntityManager } from 'typeorm';
import type { Projection } from '@app/projections';
import { familyIdOf } from '../family-stream';
import { evolveFamilies, familyRecord } from './evolve';

/**
 * `families`: one row per family with its current episode. The row keeps the decider's own state
 * (folded with the domain's `evolve`, see `./evolve`), so the read model and the write side cannot
 * disagree on what a history means.
 */
export class FamiliesProjection implements Projection {
  readonly name = 'families';
  readonly tables = ['families'] as const;

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => familyIdOf(e.streamId)))];
    const rows = (await tx.query(
      'SELECT family_id, state FROM families WHERE family_id = ANY($1)',
      [ids],
    )) as { family_id: string; state: FamilyState }[];
    const states = new Map(rows.map((r) => [r.family_id, r.state]));
    const families = evolveFamilies(
      (id) => states.get(id),
      events.map((e) => ({
        familyId: familyIdOf(e.streamId),
        event: e as unknown as FamilyEvent,
        revision: e.revision,
        position: e.position,
      })),
    );
    const records = [...families].map(([familyId, f]) => familyRecord(familyId, f));
    await tx.query(
      `INSERT INTO families
       SELECT * FROM jsonb_populate_recordset(null::families, $1::jsonb)
       ON CONFLICT (family_id) DO UPDATE SET
         authority = excluded.authority, programme = excluded.programme, status = excluded.status,
         episode = excluded.episode, key_worker = excluded.key_worker,
         referred_at = excluded.referred_at, offered_at = excluded.offered_at,
         accepted_at = excluded.accepted_at, support_plan_agreed_at = excluded.support_plan_agreed_at,
         refused_at = excluded.refused_at, refusal_stage = excluded.refusal_stage,
         exited_at = excluded.exited_at, exit_type = excluded.exit_type,
         follow_up = excluded.follow_up, moved_to = excluded.moved_to,
         revision = excluded.revision, position = excluded.position, state = excluded.state`,
      [JSON.stringify(records)],
    );
  }
}
