import { Position, RecordedEvent } from '@app/event-store';
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
  /**
   * Optional fast path for a rebuild on the database that holds the PostgreSQL log: fills the
   * projection's empty tables with the events at or below `upTo` in one set-based statement,
   * exactly as `apply` would (the rebuild's determinism test compares the two).
   */
  replayFromLog?(tx: EntityManager, log: LogSource): Promise<void>;
  /**
   * Optional: the projection a rebuild's replay applies instead (e.g. one that leaves derived
   * aggregates out), and what completes its tables afterwards, set-based, in one statement or few.
   * The catch-up after the replay, and live running, use the projection itself. The replay
   * (stream by stream, on PostgreSQL) reads only `recordedAt` of the events' metadata.
   */
  forReplay?(): Projection;
  finishReplay?(tx: EntityManager): Promise<void>;
}

export interface LogSource {
  /** The log's table, schema-qualified. */
  events: string;
  /** Its streams' table (one row per stream), schema-qualified. */
  streams: string;
  upTo: Position;
  /** `LIKE` patterns of the streams to include, or null for all. */
  streamPatterns: string[] | null;
}
