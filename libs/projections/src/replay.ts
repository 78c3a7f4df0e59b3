/*
 * The stream-ordered replay of a rebuild, shared by the rebuilding thread and the replay workers
 * (`replay-worker.ts`). Imports only types from the event store, so a worker loads the PostgreSQL
 * adapter alone.
 */
import type {
  EventStore,
  Position,
  RecordedEvent,
  StreamCursor,
  StreamRange,
} from '@app/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { Projection } from './projection';

export type { StreamRange };

export interface StreamReplay {
  upTo: Position;
  range: StreamRange;
  streamPrefixes?: string[];
  batchSize: number;
}

/**
 * Replays the streams of a range, stream by stream, up to `upTo`. A full batch ends before its
 * last stream (read again with the next batch), so consecutive batches share no stream, and two
 * are applied at once while a third is read: Node folds one while PostgreSQL writes the other.
 * A stream longer than a batch cannot be cut; its batches wait for each other.
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
  let reading: Promise<RecordedEvent[]> | undefined = read();
  let previous: Promise<void> = Promise.resolve();
  let older: Promise<void> = Promise.resolve();
  let previousStream: string | undefined;
  while (reading) {
    let batch: RecordedEvent[] = await reading;
    if (!batch.length) break;
    if (batch.length === batchSize) {
      const lastStream = batch[batch.length - 1].streamId;
      let cut = batch.length - 1;
      while (cut > 0 && batch[cut - 1].streamId === lastStream) cut--;
      if (cut > 0) batch = batch.slice(0, cut);
      const last = batch[batch.length - 1];
      reading = read({ streamId: last.streamId, revision: last.revision });
      // A read that fails meanwhile is reported by the await above, next round.
      reading.catch(() => undefined);
    } else {
      reading = undefined;
    }
    await older; // at most two batches applying
    const shared = batch[0].streamId === previousStream;
    const after = shared ? previous : Promise.resolve();
    const current = after.then(() => apply(batch));
    current.catch(() => undefined); // awaited above, or below
    older = previous;
    previous = current;
    previousStream = batch[batch.length - 1].streamId;
  }
  await older;
  await previous;
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
async function applyInShadow(
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
