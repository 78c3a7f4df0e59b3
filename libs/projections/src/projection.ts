import { RecordedEvent } from '@app/event-store';
import { EntityManager } from 'typeorm';

/**
 * A read model kept from the event log. `apply` runs inside the transaction that also advances
 * the projection's checkpoint, so a batch is applied exactly once or not at all.
 */
export interface Projection {
  /** Stable name: the checkpoint row's key. */
  readonly name: string;
  /** Tables the projection owns; a rebuild empties them and replays from the start. */
  readonly tables: readonly string[];
  apply(events: RecordedEvent[], tx: EntityManager): Promise<void>;
}
