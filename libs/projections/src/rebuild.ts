import { availableParallelism } from 'node:os';
import { EventStore, Position, RecordedEvent, START } from '@app/event-store';
import { DataSource } from 'typeorm';
import { Projection } from './projection';
import { applyToShadow, pipeline, q, replayStreams } from './replay';
import { replayInWorkers } from './replay-workers';
import { createShadowIndexes, createShadowTables, swapIn } from './shadow';

export type RebuildPhase = 'replay' | 'indexes' | 'catch-up' | 'swap' | 'done';

export interface RebuildProgress {
  phase: RebuildPhase;
  /** Events applied so far (every projection applies each of them). */
  events: number;
  /** Events at or below the head when the rebuild started (what `replay` works through). */
  total: number;
  position: Position;
}

export interface RebuildOptions {
  /** Most events applied in one transaction; default 5000. */
  batchSize?: number;
  /**
   * Threads replaying stream-id ranges side by side (a log in this database only: see
   * `EventStore.sharesDatabaseWith`): the rebuilding thread and `workers - 1` worker threads;
   * default 1. Worker threads make their projections with the `allProjections()` of `registry`,
   * so the projections given must be those (by name). The timeline's copy, the catch-up and the
   * swap stay single.
   */
  workers?: number;
  /**
   * The module (a path to load) exporting `allProjections()`, which worker threads make their
   * projections with (`@app/read-models`' `projectionRegistry`); needed when `workers` > 1.
   */
  registry?: string;
  streamPrefixes?: string[];
  onProgress?: (progress: RebuildProgress) => void;
  /** Called once the shadow tables have caught up, just before the swap (tests interleave writes). */
  beforeSwap?: () => Promise<void>;
}

export interface RebuildResult {
  projections: string[];
  /** Events applied to the shadow tables, the final tail included. */
  events: number;
  /** Checkpoint of the rebuilt projections when they were swapped in. */
  position: Position;
  seconds: number;
}

/**
 * Replay threads by default: half the cores, since PostgreSQL on the same machine does about as
 * much of a rebuild's work as Node. On 2 cores that is one: a second measured no faster (1M
 * events, alternated pairs: 47,273 against 48,220 events/s on average over three, 51,959 against
 * 50,822 over two) and held 40–70 MB more.
 */
export const defaultRebuildWorkers = (): number =>
  Math.max(1, Math.floor(availableParallelism() / 2));

export class RebuildInProgress extends Error {
  override readonly name = 'RebuildInProgress';
}

/**
 * Rebuilds projections from position 0 into shadow tables and swaps them in only once they have
 * caught up, so readers keep the live tables (and the live runner keeps applying to them) until a
 * single transaction replaces them.
 *
 * 1. Shadow tables in a schema of their own (`<schema>__rebuild`), made like the live ones; the
 *    projections' unchanged SQL writes to them through `SET LOCAL search_path`. Unique indexes
 *    exist from the start (the projections upsert on them); the others are built after the replay.
 * 2. Replay up to the head as it stood at the start, stream by stream when the store can
 *    (`readAllByStream`): a family's rows are then written about once instead of once for every
 *    batch its events are spread over. Every projection here folds per stream, so the result is
 *    the same as in position order (the determinism test checks it). Batches apply to every
 *    projection concurrently, one transaction each, while the next batch is read. With
 *    `workers` > 1, stream-id ranges replay side by side: this thread one, worker threads the rest.
 *    A projection may replay through a lighter variant (`forReplay`) and complete its tables
 *    set-based afterwards (`finishReplay`: the outcome rollup), and may have the store fill a
 *    table straight from its log (`logCopy`: the timeline; one statement where the log shares
 *    the database, `EventStore.copyEvents`).
 * 3. Build the other indexes, ANALYZE, and catch up in position order to the current head.
 * 4. Swap, in one transaction: lock the projections' checkpoint rows (the lock every live batch
 *    takes first), apply whatever was appended since, replace each live table by its shadow and set
 *    the checkpoints. A live runner's next batch then finds its checkpoint moved and resumes from
 *    the swapped-in position (its fencing), so nothing is applied twice or missed.
 */
export async function rebuildProjections(
  store: EventStore,
  db: DataSource,
  projections: Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 5000;
  const prefixes = options.streamPrefixes;
  const names = projections.map((p) => p.name);
  const tables = projections.flatMap((p) => [...p.tables]);
  const [{ live }] = (await db.query('SELECT current_schema() AS live')) as { live: string }[];
  const shadow = `${live}__rebuild`;
  if (shadow.length > 63) throw new Error(`schema name too long for a rebuild: ${live}`);

  // One rebuild of a schema at a time: they would share the shadow schema.
  const guard = db.createQueryRunner();
  await guard.connect();
  try {
    const [{ locked }] = (await guard.query(
      `SELECT pg_try_advisory_lock(hashtext('rebuild:' || current_schema())) AS locked`,
    )) as { locked: boolean }[];
    if (!locked) throw new RebuildInProgress(`a rebuild of schema ${live} is already running`);
    try {
      const head = await store.headPosition();
      // A store that cannot count cheaply reports no total (progress then shows events and rate).
      const total = {
        head,
        count: (await store.countEvents(head, { streamPrefixes: prefixes })) ?? 0,
      };
      let events = 0;
      const report = (phase: RebuildPhase, position: Position) =>
        options.onProgress?.({ phase, events, total: total.count, position });

      await createShadowTables(db, live, shadow, tables);
      const applyTo = (targets: Projection[]) => {
        const apply = applyToShadow(db, shadow, targets);
        return async (batch: RecordedEvent[]) => {
          await apply(batch);
          events += batch.length;
        };
      };
      const applyAll = applyTo(projections);

      const readAfter = (from: Position) =>
        store.readAll(from, { streamPrefixes: prefixes, limit: batchSize });

      // 2. Replay up to the head as it stood at the start.
      let position = total.head;
      report('replay', START);
      // Projections that can copy straight from the log do so, beside the batched replay, where
      // the log is in this database (and can be read stream by stream, by ranges in workers).
      const log = !!store.readAllByStream && (await store.sharesDatabaseWith(db));
      const copying = log ? projections.filter((p) => p.logCopy) : [];
      const batched = projections
        .filter((p) => !copying.includes(p))
        .map((p) => p.forReplay?.() ?? p);
      const copied = Promise.all(
        copying.map((p) =>
          db.transaction(async (tx) => {
            await tx.query(`SET LOCAL search_path TO ${q(shadow)}`);
            await tx.query('SET LOCAL synchronous_commit TO off');
            await store.copyEvents(tx, {
              ...p.logCopy!,
              upTo: total.head,
              streamPrefixes: prefixes,
            });
          }),
        ),
      );
      copied.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      const applyBatched = batched.length
        ? applyTo(batched)
        : async (b: RecordedEvent[]) => {
            events += b.length;
          };
      const threads = log ? Math.max(1, options.workers ?? 1) : 1;
      if (threads > 1 && batched.length) {
        const replay = { upTo: total.head, streamPrefixes: prefixes, batchSize };
        if (!options.registry) throw new Error('replay workers need the registry of projections');
        const cuts = await store.streamRanges(threads, { streamPrefixes: prefixes });
        const [own, ...others] = cuts;
        await replayInWorkers(db, {
          registry: options.registry,
          shadow,
          projections: batched.map((p) => p.name),
          replay,
          ranges: others,
          onBatch: (applied) => {
            events += applied;
            report('replay', total.head);
          },
          alongside: () =>
            replayStreams(store, { ...replay, range: own }, async (batch) => {
              await applyBatched(batch);
              report('replay', total.head);
            }),
        });
      } else if (store.readAllByStream) {
        await replayStreams(
          store,
          { upTo: total.head, range: {}, streamPrefixes: prefixes, batchSize },
          async (batch) => {
            await applyBatched(batch);
            report('replay', total.head);
          },
        );
      } else {
        position = START;
        await pipeline(
          readAfter(position),
          (batch) => {
            const last = batch[batch.length - 1].position;
            return batch.length < batchSize || last >= total.head ? undefined : readAfter(last);
          },
          async (batch) => {
            await applyBatched(batch);
            position = batch[batch.length - 1].position;
            report('replay', position);
          },
        );
      }

      await copied;
      await Promise.all(
        projections
          .filter((p) => p.finishReplay)
          .map((p) =>
            db.transaction(async (tx) => {
              await tx.query(`SET LOCAL search_path TO ${q(shadow)}`);
              await p.finishReplay!(tx);
            }),
          ),
      );

      // 3. The other indexes and statistics, then whatever was appended meanwhile.
      report('indexes', position);
      await createShadowIndexes(db, live, shadow, tables);
      for (const table of tables) await db.query(`ANALYZE ${q(shadow)}.${q(table)}`);
      await pipeline(
        readAfter(position),
        (batch) =>
          batch.length < batchSize ? undefined : readAfter(batch[batch.length - 1].position),
        async (batch) => {
          await applyAll(batch);
          position = batch[batch.length - 1].position;
          report('catch-up', position);
        },
      );

      await options.beforeSwap?.();
      report('swap', position);
      const swapped = await swapIn(db, store, projections, { live, shadow, position, prefixes });
      events += swapped.events;
      await db.query(`DROP SCHEMA IF EXISTS ${q(shadow)} CASCADE`);
      report('done', swapped.position);
      return {
        projections: names,
        events,
        position: swapped.position,
        seconds: (Date.now() - started) / 1000,
      };
    } catch (e) {
      await db.query(`DROP SCHEMA IF EXISTS ${q(shadow)} CASCADE`).catch(() => undefined);
      throw e;
    } finally {
      await guard.query(`SELECT pg_advisory_unlock(hashtext('rebuild:' || current_schema()))`);
    }
  } finally {
    await guard.release();
  }
}
