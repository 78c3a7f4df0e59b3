import { EventStore, Position, START } from '@app/event-store';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { inBatches } from './batches';
import {
  Checkpoint,
  CheckpointMismatchError,
  checkpointProblem,
  epochOf,
} from './checkpoint-identity';
import { Projection } from './projection';

export interface RunnerLogger {
  log(message: string): void;
  error(message: string): void;
}

export interface RunnerOptions {
  /** Most events applied in one transaction. */
  batchSize?: number;
  streamPrefixes?: string[];
  /** How often a runner that does not hold a projection's lock tries again. */
  standbyRetryMs?: number;
  /**
   * ANALYZE a projection's tables (and, for the first projection, the log: `EventStore.analyze`) once it has applied
   * this many events since the last time: after a bulk load the planner otherwise works from the
   * statistics of near-empty tables until autovacuum comes round. 0 turns it off; default 100,000.
   */
  analyzeAfter?: number;
  logger?: RunnerLogger;
}

const silent: RunnerLogger = { log: () => undefined, error: () => undefined };

/**
 * Follows the event store from each projection's checkpoint and applies batches, advancing the
 * checkpoint in the same transaction. Several runners may run (two workers): a session advisory
 * lock per projection lets one apply it while the others stand by, and the checkpoint row is
 * compared under `FOR UPDATE` before each batch, so even a runner that lost its lock without
 * noticing cannot apply a batch twice.
 */
export class ProjectionRunner {
  private readonly abort = new AbortController();
  private running: Promise<void>[] = [];
  private readonly batchSize: number;
  private readonly logger: RunnerLogger;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projections: Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.logger = options.logger ?? silent;
  }

  start(): void {
    this.running = this.projections.map((p) => this.run(p));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.running);
  }

  /**
   * Throws `CheckpointMismatchError` if any projection's checkpoint belongs to another store, or
   * to a history this store no longer has (see `checkpointProblem`). A worker calls it before
   * `start()`, so that it refuses to run instead of skipping events; `start()` checks again per
   * projection and stops (without retrying) a projection that fails it.
   */
  async verify(): Promise<void> {
    for (const projection of this.projections) await this.checkedCheckpoint(projection);
  }

  private async checkedCheckpoint(projection: Projection): Promise<Checkpoint> {
    const checkpoint = await ensureCheckpoint(this.dataSource, projection.name);
    const [identity, last] = await Promise.all([this.store.identity(), this.store.lastPosition()]);
    const problem = checkpointProblem(checkpoint, identity, last);
    if (problem) throw new CheckpointMismatchError(projection.name, problem);
    return checkpoint;
  }

  private async run(projection: Projection): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const lock = await this.tryLock(projection).catch((e: unknown) => {
        this.logger.error(`projection ${projection.name}: cannot take its lock: ${describe(e)}`);
        return undefined;
      });
      if (!lock) {
        await sleep(this.options.standbyRetryMs ?? 1000, signal);
        continue;
      }
      try {
        await this.follow(projection, signal);
      } catch (e) {
        if (e instanceof CheckpointMismatchError) {
          // Retrying cannot help, and running would skip events: stop, saying what to do.
          this.logger.error(e.message);
          return;
        }
        this.logger.error(`projection ${projection.name} stopped: ${describe(e)}; retrying`);
        await sleep(1000, signal);
      } finally {
        await lock.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await lock.release().catch(() => undefined);
      }
    }
  }

  private async tryLock(projection: Projection): Promise<QueryRunner | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const [{ locked }] = (await runner.query(
      // Scoped to the schema: advisory locks are per database, and each schema is a deployment
      // of its own (test files, a bench), which must not stand by for another's runner.
      `SELECT pg_try_advisory_lock(hashtext('projection:' || current_schema() || ':' || $1)) AS locked`,
      [projection.name],
    )) as { locked: boolean }[];
    if (locked) return runner;
    await runner.release();
    return undefined;
  }

  private async follow(projection: Projection, signal: AbortSignal): Promise<void> {
    let position = (await this.checkedCheckpoint(projection)).position;
    this.logger.log(`projection ${projection.name} following from position ${position}`);
    const events = this.store.subscribeAll(position, {
      streamPrefixes: this.options.streamPrefixes,
      batchSize: this.batchSize,
      signal,
    });
    const analyzeAfter = this.options.analyzeAfter ?? 100_000;
    let sinceAnalyze = 0;
    for await (const batch of inBatches(events, this.batchSize)) {
      const last = batch[batch.length - 1].position;
      // Read per batch: a restore noticed by another process opens an epoch at any time.
      const identity = await this.store.identity();
      await this.dataSource.transaction(async (tx) => {
        const current = await lockCheckpoint(tx, projection.name);
        if (current !== position) {
          throw new Error(
            `checkpoint moved from ${position} to ${current}: another runner applied, or a rebuild was swapped in; resuming from it`,
          );
        }
        await projection.apply(batch, tx);
        await tx.query(
          'UPDATE projection_checkpoints SET position = $2, store_id = $3, epoch = $4 WHERE name = $1',
          [projection.name, last.toString(), identity.id, epochOf(last, identity)],
        );
      });
      position = last;
      sinceAnalyze += batch.length;
      if (analyzeAfter > 0 && sinceAnalyze >= analyzeAfter) {
        sinceAnalyze = 0;
        await this.analyze(projection);
      }
    }
  }

  private async analyze(projection: Projection): Promise<void> {
    for (const table of projection.tables) {
      await this.dataSource.query(`ANALYZE ${table}`).catch((e: unknown) => {
        this.logger.error(`projection ${projection.name}: ANALYZE ${table} failed: ${describe(e)}`);
      });
    }
    // The first projection's turn also refreshes the log's statistics (the store's own).
    if (projection !== this.projections[0]) return;
    await this.store.analyze().catch((e: unknown) => {
      this.logger.error(`projection ${projection.name}: ANALYZE of the log failed: ${describe(e)}`);
    });
  }
}

async function ensureCheckpoint(dataSource: DataSource, name: string): Promise<Checkpoint> {
  await dataSource.query(
    'INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING',
    [name],
  );
  const [row] = (await dataSource.query(
    'SELECT position, store_id, epoch FROM projection_checkpoints WHERE name = $1',
    [name],
  )) as { position: string; store_id: string | null; epoch: number | null }[];
  return { name, position: BigInt(row.position), storeId: row.store_id, epoch: row.epoch };
}

async function lockCheckpoint(tx: EntityManager, name: string): Promise<Position> {
  const rows = (await tx.query(
    'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
    [name],
  )) as { position: string }[];
  return BigInt(rows[0].position);
}

/** Checkpoint of every projection (TypeORM returns bigint columns as strings). */
export async function projectionCheckpoints(
  dataSource: DataSource,
): Promise<Map<string, Position>> {
  const rows = (await dataSource.query('SELECT name, position FROM projection_checkpoints')) as {
    name: string;
    position: string;
  }[];
  return new Map(rows.map((r) => [r.name, BigInt(r.position)]));
}

/**
 * Waits until every named projection has applied the event at `position`. Readers that must see
 * their own writes (tests, the CLI) wait on a known position rather than on time.
 */
export async function waitForProjections(
  dataSource: DataSource,
  names: readonly string[],
  position: Position,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checkpoints = await projectionCheckpoints(dataSource);
    if (names.every((n) => (checkpoints.get(n) ?? START) >= position)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `projections ${names.join(', ')} did not reach position ${position} in ${timeoutMs} ms`,
      );
    }
    await sleep(20);
  }
}

/** Empties a projection's tables and rewinds its checkpoint; the runner then replays from the start. */
export async function resetProjection(
  dataSource: DataSource,
  projection: Projection,
): Promise<void> {
  await dataSource.transaction(async (tx) => {
    await lockCheckpoint(tx, projection.name).catch(() => undefined);
    for (const table of projection.tables) await tx.query(`TRUNCATE ${table}`);
    await tx.query(
      `INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0)
       ON CONFLICT (name) DO UPDATE SET position = 0, store_id = NULL, epoch = NULL`,
      [projection.name],
    );
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));
