import { FamilyEvent, FamilyState } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { EntityManager } from 'typeorm';
import type { Projection } from '@app/projections';
import { familyIdOf, keptStates } from '../family-stream';
import { evolveFamilies, familyRecord } from './evolve';
import { upsertJsonRows } from '@app/projections/sql';

/**
 * `families`: one row per family with its current episode. The row keeps the decider's own state
 * (folded with the domain's `evolve`, see `./evolve`), so the read model and the write side cannot
 * disagree on what a history means.
 */
export class FamiliesProjection implements Projection {
  readonly name = 'families';
  readonly tables = ['families'] as const;

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const { states } = await keptStates<FamilyState>(tx, 'families', events);
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
    await upsertJsonRows(tx, 'families', ['family_id'], records);
  }
}
