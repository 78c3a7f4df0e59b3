/**
 * Return builds on BullMQ. The request is stored in PostgreSQL first (`returns`); the job only
 * says "build this id", so a lost job (flushed Redis, a worker that died mid-build) is found again
 * by the reconciler, which queues every unfinished request on start and then periodically.
 */
import { OutcomeDefinitions } from '@app/outcomes';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { CostAvoidanceSource, buildReturn } from './builder';
import { CellKeys } from './cell-key';
import { Database } from './read-models';
import { specNamed } from './spec';
import { findReturn, saveBuilt, saveFailed, setProgress, unfinishedReturns } from './store';

export const RETURNS_QUEUE = 'returns';

export interface ReturnsEngineOptions {
  db: Database;
  redis: Redis;
  prefix: string;
  definitions: OutcomeDefinitions;
  software: string;
  /** Every count of a return is perturbed with these (`cellKeys(cellKeySecretFrom(config))`). */
  cellKeys: CellKeys;
  costs?: CostAvoidanceSource;
  now?: () => Date;
  logger?: { log(m: string): void; error(m: string): void };
}

/** Queues a build; the job id is the return id, so queuing twice builds once. */
export async function enqueueReturn(queue: Queue, id: string): Promise<void> {
  await queue.add(
    'build',
    { id },
    {
      jobId: id,
      // A database hiccup is retried; the last failure marks the request failed.
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    },
  );
}

export type BuildDeps = Pick<
  ReturnsEngineOptions,
  'db' | 'definitions' | 'software' | 'cellKeys' | 'costs' | 'now'
>;

/**
 * Builds a request stored in `returns` as at its position and saves the content (the worker's
 * job and the CLI both come here). A request already built or failed is left as it is.
 */
export async function buildStored(
  deps: BuildDeps,
  id: string,
  onProgress?: (pct: number) => Promise<void> | void,
): Promise<void> {
  const { db } = deps;
  const request = await findReturn(db, id);
  if (!request || request.status === 'built' || request.status === 'failed') return;
  const spec = specNamed(request.spec);
  if (!spec) return saveFailed(db, id, `unknown spec ${request.spec}`);
  const built = await buildReturn(
    {
      db,
      definitions: deps.definitions,
      software: deps.software,
      cellKeys: deps.cellKeys,
      costs: deps.costs,
      progress: async (pct) => {
        await setProgress(db, id, pct);
        await onProgress?.(pct);
      },
    },
    spec,
    request,
    request.position,
  );
  await saveBuilt(db, id, built, (deps.now?.() ?? new Date()).toISOString());
}

export class ReturnsEngine {
  readonly queue: Queue;
  private worker?: Worker;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: ReturnsEngineOptions) {
    this.queue = new Queue(RETURNS_QUEUE, { connection: options.redis, prefix: options.prefix });
    // Redis going away must not take the worker down: the reconciler catches up when it is back.
    this.queue.on('error', (e) => options.logger?.error(`returns queue: ${e.message}`));
  }

  /** Builds one stored request (skips it if already built). */
  build(id: string, onProgress?: (pct: number) => Promise<void> | void): Promise<void> {
    return buildStored(this.options, id, onProgress);
  }

  /**
   * Queues every unfinished request again; returns how many. A job BullMQ already finished or
   * failed (e.g. one that stalled too often) while its request is still unfinished would make
   * the add a no-op, so it is removed first.
   */
  async reconcile(): Promise<number> {
    const ids = await unfinishedReturns(this.options.db);
    for (const id of ids) {
      const job = await this.queue.getJob(id);
      if (job) {
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') await job.remove();
      }
      await enqueueReturn(this.queue, id);
    }
    return ids.length;
  }

  /** `lockMs`: a killed worker's build is taken back (stalled) after about this long. */
  start(reconcileEveryMs = 60_000, lockMs = 30_000): void {
    const log = this.options.logger;
    this.worker = new Worker(
      RETURNS_QUEUE,
      async (job: Job<{ id: string }>) => {
        try {
          await this.build(job.data.id, (pct) => job.updateProgress(pct));
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          log?.error(`return ${job.data.id}: ${message}`);
          // Retried by BullMQ; on the last attempt the request is marked failed.
          if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
            await saveFailed(this.options.db, job.data.id, message);
          }
          throw e;
        }
      },
      {
        connection: this.options.redis,
        prefix: this.options.prefix,
        concurrency: 1,
        lockDuration: lockMs,
        stalledInterval: lockMs,
      },
    );
    this.worker.on('error', (e) => log?.error(`returns worker: ${e.message}`));
    // One pass at a time: a pass waiting on a Redis that is down is not joined by more.
    let running = false;
    const sweep = () => {
      if (running) return;
      running = true;
      return this.reconcile()
        .then(
          (n) => n && log?.log(`returns: queued ${n} unfinished build(s)`),
          (e: unknown) =>
            log?.error(`returns reconciler: ${e instanceof Error ? e.message : String(e)}`),
        )
        .finally(() => (running = false));
    };
    void sweep();
    this.timer = setInterval(() => void sweep(), reconcileEveryMs);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.worker?.close();
    await this.queue.close();
  }
}
