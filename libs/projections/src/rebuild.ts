import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EventStore, Position, RecordedEvent, START, StoreIdentity } from '@app/event-store';
import { DataSource, QueryRunner } from 'typeorm';
import { allProjections } from './all-projections';
import { epochOf } from './checkpoint-identity';
import { LogSource, Projection } from './projection';
import { StreamRange, StreamReplay, applyToShadow, pipeline, q, replayStreams } from './replay';
import type { ReplayReport, ReplayWork } from './replay-worker';

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
   * Threads replaying stream-id ranges side by side (PostgreSQL log only): the rebuilding thread
   * and `workers - 1` worker threads; default 1. Worker threads make their projections with
   * `allProjections()`, so the projections given must be those (by name). The timeline's copy,
   * the catch-up and the swap stay single.
   */
  workers?: number;
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

const DEADLOCK = '40P01';

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
 *    set-based afterwards (`finishReplay`: the outcome rollup), and may fill a table straight from
 *    the PostgreSQL log in SQL (`replayFromLog`: the timeline).
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
      const total = await countUpTo(db, store, prefixes);
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
      // Projections that can copy straight from the log do so, beside the batched replay.
      const log = await logSource(db, store, live, total.head, prefixes);
      const copying = log ? projections.filter((p) => p.replayFromLog) : [];
      const batched = projections
        .filter((p) => !copying.includes(p))
        .map((p) => p.forReplay?.() ?? p);
      const copied = Promise.all(
        copying.map((p) =>
          db.transaction(async (tx) => {
            await tx.query(`SET LOCAL search_path TO ${q(shadow)}`);
            await tx.query('SET LOCAL synchronous_commit TO off');
            await p.replayFromLog!(tx, log!);
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
        const [own, ...others] = await streamRanges(db, log!, threads);
        await replayInWorkers(db, {
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

/**
 * Stream-id ranges replayed by worker threads, each applying its streams to the shadow tables in
 * transactions of its own (the rebuilding thread replays another range meanwhile). Every
 * projection here folds per stream, so ranges replayed side by side give what one replay gives.
 */
async function replayInWorkers(
  db: DataSource,
  work: Omit<ReplayWork, 'database' | 'replay'> & {
    replay: Omit<StreamReplay, 'range'>;
    ranges: StreamRange[];
    onBatch: (applied: number) => void;
    /** This thread's own range, replayed meanwhile. */
    alongside: () => Promise<void>;
  },
): Promise<void> {
  const known = allProjections().map((p) => p.name);
  const unknown = work.projections.filter((name) => !known.includes(name));
  if (unknown.length)
    throw new Error(`replay workers cannot make projection ${unknown.join(', ')}`);
  const { url, schema } = db.options as { url?: string; schema?: string };
  if (!url) throw new Error('replay workers need the database given by URL');
  const running: Worker[] = [];
  try {
    await Promise.all([
      ...work.ranges.map(
        (range) =>
          new Promise<void>((resolve, reject) => {
            const data: ReplayWork = {
              database: { url, schema },
              shadow: work.shadow,
              projections: work.projections,
              replay: { ...work.replay, range },
            };
            const worker = startReplayWorker(data);
            running.push(worker);
            worker.on('message', (m: ReplayReport) => work.onBatch(m.applied));
            worker.on('error', reject);
            worker.on('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`replay worker exited with ${code}`)),
            );
          }),
      ),
      work.alongside(),
    ]);
  } finally {
    // After a failure (here or in a worker), the others need not finish: the schema is dropped.
    await Promise.all(running.map((w) => w.terminate()));
  }
}

/**
 * A worker's heap, capped: left to itself V8 lets it grow well past what it holds (two batches)
 * before collecting; the process peaked at 475 MB in a 10M-event rebuild. Measured on 300k
 * events: 356 MB peak instead of 410–445, no more CPU; batches of 20,000 events still fit.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 192 };

/** The worker thread; from TypeScript sources (tests, benchmarks) through the same swc loader. */
function startReplayWorker(data: ReplayWork): Worker {
  const resourceLimits = WORKER_HEAP;
  const file = join(__dirname, `replay-worker${extname(__filename)}`);
  if (extname(file) !== '.ts') return new Worker(file, { workerData: data, resourceLimits });
  const register = join(__dirname, '..', '..', '..', 'scripts', 'register.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(file)});`, {
    eval: true,
    workerData: data,
    resourceLimits,
  });
}

/** `n` ranges of about as many streams each, cut at stream ids of the log. */
async function streamRanges(db: DataSource, log: LogSource, n: number): Promise<StreamRange[]> {
  const fractions = Array.from({ length: n - 1 }, (_, i) => (i + 1) / n);
  const [{ cuts }] = (await db.query(
    `SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY stream_id) AS cuts
     FROM ${log.streams}
     WHERE $2::text[] IS NULL OR stream_id LIKE ANY ($2::text[])`,
    [fractions, log.streamPatterns],
  )) as { cuts: (string | null)[] | null }[];
  const bounds = [...new Set((cuts ?? []).filter((c): c is string => c !== null))];
  return Array.from({ length: bounds.length + 1 }, (_, i) => ({
    ...(i > 0 ? { from: bounds[i - 1] } : {}),
    ...(i < bounds.length ? { before: bounds[i] } : {}),
  }));
}

/** The PostgreSQL log, when it is in this database (the store's `readAllByStream` says PostgreSQL). */
async function logSource(
  db: DataSource,
  store: EventStore,
  live: string,
  upTo: Position,
  prefixes?: string[],
): Promise<LogSource | undefined> {
  if (!store.readAllByStream) return undefined;
  const events = `${q(live)}.events`;
  const [{ found }] = (await db.query('SELECT to_regclass($1) IS NOT NULL AS found', [events])) as {
    found: boolean;
  }[];
  if (!found) return undefined;
  return {
    events,
    streams: `${q(live)}.streams`,
    upTo,
    streamPatterns: prefixes?.length ? prefixes.map(likePattern) : null,
  };
}

async function countUpTo(
  db: DataSource,
  store: EventStore,
  prefixes?: string[],
): Promise<{ head: Position; count: number }> {
  const head = await store.headPosition();
  // The events table is the PostgreSQL store's; any other store reports no total (progress
  // then shows events and rate only).
  const rows = (await db
    .query(
      `SELECT count(*)::bigint AS n FROM events WHERE position <= $1
         AND ($2::text[] IS NULL OR stream_id LIKE ANY ($2::text[]))`,
      [head.toString(), prefixes?.length ? prefixes.map(likePattern) : null],
    )
    .catch(() => [{ n: '0' }])) as { n: string }[];
  return { head, count: Number(rows[0].n) };
}

/** Shadow tables like the live ones: columns, defaults, checks, and the unique indexes. */
async function createShadowTables(
  db: DataSource,
  live: string,
  shadow: string,
  tables: string[],
): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${q(shadow)} CASCADE`);
  await db.query(`CREATE SCHEMA ${q(shadow)}`);
  for (const table of tables) {
    await db.query(
      `CREATE TABLE ${q(shadow)}.${q(table)} (LIKE ${q(live)}.${q(table)}
         INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY
         INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS)`,
    );
    // Constraints by name (primary keys, unique), so the swapped-in table has the same ones.
    const constraints = (await db.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
      [`${q(live)}.${q(table)}`],
    )) as { conname: string; def: string }[];
    for (const c of constraints) {
      await db.query(
        `ALTER TABLE ${q(shadow)}.${q(table)} ADD CONSTRAINT ${q(c.conname)} ${c.def}`,
      );
    }
    for (const index of await indexesOf(db, live, table, true)) {
      await db.query(onShadow(index.def, shadow, table));
    }
  }
}

/** The non-unique indexes, built once the replay has filled the tables (faster than row by row). */
async function createShadowIndexes(
  db: DataSource,
  live: string,
  shadow: string,
  tables: string[],
): Promise<void> {
  for (const table of tables) {
    for (const index of await indexesOf(db, live, table, false)) {
      await db.query(onShadow(index.def, shadow, table));
    }
  }
}

/** Indexes that no constraint owns (those are recreated with their constraint). */
async function indexesOf(
  db: DataSource,
  live: string,
  table: string,
  unique: boolean,
): Promise<{ name: string; def: string }[]> {
  return (await db.query(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass AND i.indisunique = $2
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`,
    [`${q(live)}.${q(table)}`, unique],
  )) as { name: string; def: string }[];
}

/** `CREATE INDEX name ON <live table> USING …` → the same index (same name) on the shadow table. */
function onShadow(def: string, shadow: string, table: string): string {
  const match = /^(CREATE (?:UNIQUE )?INDEX \S+ ON )(?:ONLY )?\S+( USING .*)$/s.exec(def);
  if (!match) throw new Error(`cannot recreate index: ${def}`);
  return `${match[1]}${q(shadow)}.${q(table)}${match[2]}`;
}

/**
 * The swap, in one transaction that also applies the last events appended since the catch-up.
 * Its checkpoint-row locks keep live batches out; a reader waits at most for the swap itself.
 * Retried on a deadlock (a reader holding one table while the swap holds another).
 */
async function swapIn(
  db: DataSource,
  store: EventStore,
  projections: Projection[],
  target: { live: string; shadow: string; position: Position; prefixes?: string[] },
): Promise<{ position: Position; events: number }> {
  const at = { ...target, identity: await store.identity() };
  const names = projections.map((p) => p.name).sort();
  await db.query(
    `INSERT INTO projection_checkpoints (name, position)
     SELECT unnest($1::text[]), 0 ON CONFLICT (name) DO NOTHING`,
    [names],
  );
  for (let attempt = 1; ; attempt++) {
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await swapOnce(runner, store, projections, names, at);
      await runner.commitTransaction();
      return result;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if ((e as { code?: string }).code === DEADLOCK && attempt < 5) continue;
      throw e;
    } finally {
      await runner.release();
    }
  }
}

async function swapOnce(
  runner: QueryRunner,
  store: EventStore,
  projections: Projection[],
  names: string[],
  at: {
    live: string;
    shadow: string;
    position: Position;
    prefixes?: string[];
    identity: StoreIdentity;
  },
): Promise<{ position: Position; events: number }> {
  await runner.query(
    'SELECT name FROM projection_checkpoints WHERE name = ANY($1) ORDER BY name FOR UPDATE',
    [names],
  );
  // No live batch can commit now. Holding an xid, this transaction also holds back the store's
  // visibility horizon, so the tail read below ends; anything later is the live runner's, from
  // the checkpoint set here.
  let position = at.position;
  let events = 0;
  await runner.query(`SET LOCAL search_path TO ${q(at.shadow)}`);
  for (;;) {
    const batch = await store.readAll(position, { streamPrefixes: at.prefixes, limit: 5000 });
    if (!batch.length) break;
    for (const p of projections) await p.apply(batch, runner.manager);
    position = batch[batch.length - 1].position;
    events += batch.length;
  }
  await runner.query(`SET LOCAL search_path TO ${q(at.live)}`);
  const tables = projections.flatMap((p) => [...p.tables]);
  await runner.query(`LOCK TABLE ${tables.map((t) => `${q(at.live)}.${q(t)}`).join(', ')}`);
  for (const table of tables) {
    await runner.query(`DROP TABLE ${q(at.live)}.${q(table)}`);
    await runner.query(`ALTER TABLE ${q(at.shadow)}.${q(table)} SET SCHEMA ${q(at.live)}`);
  }
  // The rebuilt read models are this store's: the checkpoints say so.
  await runner.query(
    'UPDATE projection_checkpoints SET position = $2, store_id = $3, epoch = $4 WHERE name = ANY($1)',
    [names, position.toString(), at.identity.id, epochOf(position, at.identity)],
  );
  return { position, events };
}

/** `prefix%`, LIKE's own wildcards taken literally (as the store does). */
const likePattern = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
