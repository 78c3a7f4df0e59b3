import { FamilyEvent, FamilyState, currentEpisode, evolve, initialState } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { EntityManager } from 'typeorm';
import type { Projection } from '@app/projections';
import { familyIdOf } from '../family-stream';

/**
 * `families`: one row per family with its current episode. The row keeps the decider's own state
 * (folded with the domain's `evolve`), so the read model and the write side cannot disagree on
 * what a history means.
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
    const families = new Map<string, { state: FamilyState; revision: bigint; position: bigint }>();

    for (const event of events) {
      const id = familyIdOf(event.streamId);
      const family = families.get(id) ?? {
        state: states.get(id) ?? initialState(),
        revision: 0n,
        position: 0n,
      };
      family.state = evolve(family.state, event as unknown as FamilyEvent);
      family.revision = event.revision;
      family.position = event.position;
      families.set(id, family);
    }

    const records = [...families.entries()].map(([familyId, f]) => {
      const episode = currentEpisode(f.state);
      if (!episode || !f.state.authority || !f.state.programme) {
        throw new Error(`family ${familyId}: stream does not start with FamilyReferred`);
      }
      return {
        family_id: familyId,
        authority: f.state.authority,
        programme: f.state.programme,
        status: episode.status,
        episode: episode.number,
        key_worker: f.state.keyWorker ?? null,
        referred_at: episode.referredAt,
        offered_at: episode.offeredAt ?? null,
        accepted_at: episode.acceptedAt ?? null,
        support_plan_agreed_at: episode.supportPlanAgreedAt ?? null,
        refused_at: episode.refusedAt ?? null,
        refusal_stage: episode.refusalStage ?? null,
        exited_at: episode.exitedAt ?? null,
        exit_type: episode.exitType ?? null,
        follow_up: episode.followUp,
        moved_to: f.state.movedTo ?? null,
        revision: f.revision.toString(),
        position: f.position.toString(),
        state: f.state,
      };
    });
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
