import type { EventCopy, RecordedEvent } from '@app/event-store';
import type { EntityManager } from 'typeorm';

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
  /**
   * Optional fast path for a rebuild: a table the projection fills with one row per event, the
   * columns taken from each event as listed, exactly as `apply` would (the rebuild's determinism
   * test compares the two). Where the log shares the database the store copies it in one
   * set-based statement (`EventStore.copyEvents`), the payloads never leaving PostgreSQL.
   */
  readonly logCopy?: Pick<EventCopy, 'table' | 'columns'>;
  /**
   * Optional: the projection a rebuild's replay applies instead (e.g. one that leaves derived
   * aggregates out), and what completes its tables afterwards, set-based, in one statement or few.
   * The catch-up after the replay, and live running, use the projection itself. The replay
   * (stream by stream, on PostgreSQL) reads only `recordedAt` of the events' metadata.
   */
  forReplay?(): Projection;
  finishReplay?(tx: EntityManager): Promise<void>;
}
