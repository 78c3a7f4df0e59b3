/*
 * The stream-ordered replay of a rebuild, shared by the rebuilding thread and the replay workers
 * (`replay-worker.ts`). Imports only types from the event store, so a worker loads the PostgreSQL
 * adapter alone.
 */
import type { EventStore, Position, RecordedEvent, StreamCursor } from '@app/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { Projection } from './projection';

/** Streams in `[from, before)`; an absent bound is open. */
export interface StreamRange {
  from?: string;
  before?: string;
}

export interface StreamReplay {
  upTo: Position;
  range: StreamRange;
  streamPrefixes?: string[];
  batchSize: number;
}

/**
 * Replays the streams of a range, stream by stream, up to `upTo`: reads the next batch while
 * `apply` runs on the current one.
 */
export async function replayStreams(
  store: EventStore,
  replay: StreamReplay,
  apply: (batch: RecordedEvent[]) => Promise<void>,
): Promise<void> {
  const readAllByStream = store.readAllByStream?.bind(store);
  if (!readAllByStream) throw new Error('the store cannot read stream by stream');
  const { upTo, range, batchSize } = replay;
  const read = (after?: StreamCursor) =>
    readAllByStream(upTo, {
      // Revision -1: the first event of `from` is the first read.
      after:
        after ?? (range.from !== undefined ? { streamId: range.from, revision: -1n } : undefined),
      before: range.before,
      // The projections read no other metadata (see `Projection.forReplay`).
      recordedAtOnly: true,
      streamPrefixes: replay.streamPrefixes,
      limit: batchSize,
    });
  await pipeline(
    read(),
    (batch) => {
      const last = batch[batch.length - 1];
      return batch.length < batchSize
        ? undefined
        : read({ streamId: last.streamId, revision: last.revision });
    },
    apply,
  );
}

/**
 * Reads the next batch while the current one is applied: `next` starts the read that follows a
 * batch (or says there is none), before `apply` runs. At most two batches are held at once.
 */
export async function pipeline(
  first: Promise<RecordedEvent[]>,
  next: (batch: RecordedEvent[]) => Promise<RecordedEvent[]> | undefined,
  apply: (batch: RecordedEvent[]) => Promise<void>,
): Promise<void> {
  let reading: Promise<RecordedEvent[]> | undefined = first;
  while (reading) {
    const batch: RecordedEvent[] = await reading;
    if (!batch.length) return;
    reading = next(batch);
    // A read that fails while the batch is applied is reported by the await above, next round.
    reading?.catch(() => undefined);
    await apply(batch);
  }
}

/** Applies a batch to every projection concurrently, one shadow transaction each. */
export const applyToShadow =
  (db: DataSource, shadow: string, projections: Projection[]) =>
  async (batch: RecordedEvent[]): Promise<void> => {
    await Promise.all(
      projections.map((p) => db.transaction((tx) => applyInShadow(tx, shadow, p, batch))),
    );
  };

/**
 * Applies a batch to a projection's shadow tables: the projection's own SQL, its unqualified table
 * names resolved in the shadow schema. Not durable on its own (nothing reads the shadow tables
 * before the swap, which commits durably), so commits need not wait for the WAL flush.
 */
export async function applyInShadow(
  tx: EntityManager,
  shadow: string,
  projection: Projection,
  batch: RecordedEvent[],
): Promise<void> {
  await tx.query(`SET LOCAL search_path TO ${q(shadow)}`);
  await tx.query('SET LOCAL synchronous_commit TO off');
  await projection.apply(batch, tx);
}

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
