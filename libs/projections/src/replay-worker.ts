/*
 * A replay worker of a rebuild (a worker thread): replays one stream-id range into the shadow
 * tables and reports each batch applied. Loads the PostgreSQL adapter only (not the event store's
 * index, which brings EventStoreDB's client and Nest).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDataSource } from '@app/event-store/postgres/database';
import { PostgresEventStore } from '@app/event-store/postgres/postgres-event-store';
import { StreamReplay, applyToShadow, replayStreams } from './replay';
import { loadProjections } from './replay-workers';

export interface ReplayWork {
  database: { url: string; schema?: string };
  shadow: string;
  /** The module whose `allProjections()` makes them (the runner imports no read model). */
  registry: string;
  /** Projections to replay, by name, made by the registry (their `forReplay` variant). */
  projections: string[];
  replay: StreamReplay;
}

/** What a worker posts: the size of each batch it applied. */
export interface ReplayReport {
  applied: number;
}

async function run(work: ReplayWork): Promise<void> {
  // The rebuild checked that the registry makes every one named.
  const projections = (await loadProjections(work.registry))
    .filter((p) => work.projections.includes(p.name))
    .map((p) => p.forReplay?.() ?? p);
  // One connection per projection for each of the two batches applied at once.
  const config = { ...work.database, max: 2 * projections.length };
  const db = createDataSource(config, []);
  await db.initialize();
  const store = PostgresEventStore.connect({ ...work.database, max: 1 });
  try {
    const apply = applyToShadow(db, work.shadow, projections);
    await replayStreams(store, work.replay, async (batch) => {
      await apply(batch);
      parentPort!.postMessage({ applied: batch.length } satisfies ReplayReport);
    });
  } finally {
    await store.close();
    await db.destroy();
  }
}

if (parentPort) {
  run(workerData as ReplayWork).catch((e: unknown) => {
    // Thrown outside the promise: the worker ends, and the rebuild gets it as the worker's `error`.
    setImmediate(() => {
      throw e;
    });
  });
}
