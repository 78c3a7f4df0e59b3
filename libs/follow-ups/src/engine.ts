import { Clock, DomainError, FamilyEvent } from '@app/domain';
import { Job, JobsOptions, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { followUpEventId } from './ids';
import { DEFAULT_FOLLOW_UP_POLICY, FollowUpPolicy, scheduleFor } from './policy';

/**
 * How the engine records an event on a family's stream: the app's one write path (load, decide,
 * append). `eventId` makes the append idempotent; a broken invariant throws a `DomainError`.
 */
export interface FollowUpRecorder {
  record(familyId: string, event: FamilyEvent, eventId: string): Promise<unknown>;
}

export interface FollowUpLogger {
  log(message: string): void;
  error(message: string): void;
}

export interface FollowUpEngineOptions {
  db: DataSource;
  recorder: FollowUpRecorder;
  clock: Clock;
  redis: Redis;
  policy?: FollowUpPolicy;
  /** BullMQ key prefix: one per deployment (and per test file). */
  prefix?: string;
  /** Revisits due within this much of the sweep are enqueued (as delayed jobs) on that sweep. */
  horizonMs?: number;
  webhookUrl?: string;
  /** First retry delay of a failed webhook POST; doubles each attempt. */
  notifyBackoffMs?: number;
  notifyAttempts?: number;
  logger?: FollowUpLogger;
}

/** A due job: ids and dates only, never personal data. */
export interface DueJob {
  followUpId: string;
  familyId: string;
  episode: number;
  authority: string;
  dueAt: string;
}

export type NotifyJob = DueJob;

export interface SweepResult {
  scheduled: number;
  cancelled: number;
  enqueued: number;
  failed: number;
}

export const QUEUES = {
  due: 'follow-up-due',
  notify: 'follow-up-notify',
} as const;

interface DueRow {
  follow_up_id: string;
  family_id: string;
  episode: number;
  authority: string;
  due_at: Date;
}

const PAGE = 1000;
const CONCURRENCY = 8;
const silent: FollowUpLogger = { log: () => undefined, error: () => undefined };
const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * The twelve-month revisit, from exit to due. PostgreSQL (`follow_ups`) is the schedule; Redis
 * only carries work about to happen:
 *
 * - `sweep(at)` (run by the worker's in-process timer through `sweepExclusively`, or directly by
 *   tests and the CLI) records
 *   `FollowUpScheduled` for each qualifying exit, `FollowUpCancelled` for each pending revisit of a
 *   re-referred family, and enqueues a due job for every revisit due by `at + horizon` that has no
 *   `FollowUpDue` yet — which also raises anything lost with Redis or missed while the worker was
 *   down.
 * - the due job appends `FollowUpDue` and enqueues a webhook notification.
 *
 * Every step is idempotent: event ids derive from the follow-up id (the event store keeps a
 * replayed append once), job ids are the follow-up id (BullMQ keeps one job per id), and the
 * decider refuses a second schedule, due or outcome.
 */
export class FollowUpEngine {
  readonly policy: FollowUpPolicy;
  readonly dueQueue: Queue;
  readonly notifyQueue: Queue;
  private readonly workers: Worker[] = [];
  private readonly horizonMs: number;
  private readonly logger: FollowUpLogger;

  constructor(private readonly options: FollowUpEngineOptions) {
    this.policy = options.policy ?? DEFAULT_FOLLOW_UP_POLICY;
    this.horizonMs = options.horizonMs ?? 5 * 60_000;
    this.logger = options.logger ?? silent;
    const queue = (name: string) => {
      const q = new Queue(name, { connection: options.redis, prefix: options.prefix });
      // Without a listener a lost connection would be an uncaught 'error' event.
      q.on('error', (error) => this.logger.error(`${name} queue: ${describe(error)}`));
      return q;
    };
    this.dueQueue = queue(QUEUES.due);
    this.notifyQueue = queue(QUEUES.notify);
  }

  /**
   * The sweep as the worker runs it: under a PostgreSQL advisory lock (per schema), so that of
   * several workers one sweeps at a time; `undefined` when another holds it. The schedule lives
   * in PostgreSQL, so nothing about when the sweep runs is kept in Redis for a flush to lose.
   */
  async sweepExclusively(at: Date): Promise<SweepResult | undefined> {
    const lock = this.options.db.createQueryRunner();
    try {
      const [{ locked }] = (await lock.query(
        `SELECT pg_try_advisory_lock(hashtext('follow-up-sweep:' || current_schema())) AS locked`,
      )) as { locked: boolean }[];
      if (!locked) return undefined;
      try {
        return await this.sweep(at);
      } finally {
        await lock.query(
          `SELECT pg_advisory_unlock(hashtext('follow-up-sweep:' || current_schema()))`,
        );
      }
    } finally {
      await lock.release();
    }
  }

  /** Processes the due and notify queues in this process until `close()`. */
  startWorkers(): void {
    const worker = (name: string, run: (job: Job) => Promise<unknown>, concurrency = 1) => {
      const w = new Worker(name, run, {
        connection: this.options.redis,
        prefix: this.options.prefix,
        concurrency,
      });
      w.on('failed', (job, error) =>
        this.logger.error(`${name} job ${job?.id ?? '?'} failed: ${describe(error)}`),
      );
      w.on('error', (error) => this.logger.error(`${name} worker: ${describe(error)}`));
      this.workers.push(w);
    };
    worker(QUEUES.due, (job: Job<DueJob>) => this.processDue(job.data), CONCURRENCY);
    worker(QUEUES.notify, (job: Job<NotifyJob>) => this.notify(job.data), 2);
  }

  async sweep(at: Date): Promise<SweepResult> {
    const result: SweepResult = { scheduled: 0, cancelled: 0, enqueued: 0, failed: 0 };
    await this.scheduleExits(at, result);
    if (this.policy.onReReferral === 'cancel') await this.cancelReReferred(result);
    await this.enqueueDue(at, result);
    if (result.scheduled || result.cancelled || result.enqueued || result.failed) {
      this.logger.log(
        `sweep at ${at.toISOString()}: ${result.scheduled} scheduled, ${result.cancelled} cancelled, ${result.enqueued} due jobs enqueued, ${result.failed} failed`,
      );
    }
    return result;
  }

  /** Appends `FollowUpDue` (dated the due date) once the clock has reached it. */
  async processDue(job: DueJob): Promise<'recorded' | 'not_yet_due' | 'not_pending'> {
    if (this.options.clock.now().getTime() < Date.parse(job.dueAt)) return 'not_yet_due';
    const event: FamilyEvent = {
      type: 'FollowUpDue',
      data: { occurredAt: job.dueAt, episode: job.episode },
    };
    try {
      await this.options.recorder.record(
        job.familyId,
        event,
        followUpEventId(job.followUpId, 'due'),
      );
    } catch (e) {
      // Cancelled, completed or missed in the meantime: nothing falls due.
      if (e instanceof DomainError && e.kind === 'conflict') return 'not_pending';
      throw e;
    }
    if (this.options.webhookUrl) {
      await this.notifyQueue.add('notify', job, {
        jobId: `notify-${job.followUpId}`,
        attempts: this.options.notifyAttempts ?? 8,
        backoff: { type: 'exponential', delay: this.options.notifyBackoffMs ?? 5000 },
        // Kept a while so that a due job running twice does not notify twice.
        removeOnComplete: { age: 30 * 86_400 },
        removeOnFail: { age: 30 * 86_400 },
      });
    }
    return 'recorded';
  }

  /** POSTs `{type, followUpId, familyId, episode, authority, dueAt}`; throws to be retried. */
  async notify(job: NotifyJob): Promise<void> {
    const url = this.options.webhookUrl;
    if (!url) return;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'FollowUpDue', ...job }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }

  private closing?: Promise<void>;

  /** Stops the workers (letting running jobs finish) and the queues; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.workers.map((w) => w.close()));
      await Promise.all([this.dueQueue, this.notifyQueue].map((q) => q.close()));
    })();
    return this.closing;
  }

  private async scheduleExits(at: Date, result: SweepResult): Promise<void> {
    const types = this.policy.exitTypes === 'all' ? null : [...this.policy.exitTypes];
    const keep = this.policy.onReReferral === 'keep';
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await this.options.db.query(
        `SELECT follow_up_id, family_id, episode, authority, exited_at FROM follow_ups
         WHERE status = 'unscheduled' AND follow_up_id > $1
           AND ($2::text[] IS NULL OR exit_type = ANY($2))
           AND ($3 OR re_referred_at IS NULL)
         ORDER BY follow_up_id LIMIT ${PAGE}`,
        [after, types, keep],
      )) as {
        follow_up_id: string;
        family_id: string;
        episode: number;
        authority: string;
        exited_at: Date;
      }[];
      if (!rows.length) return;
      after = rows[rows.length - 1].follow_up_id;
      await inParallel(rows, async (r) => {
        const exitedAt = r.exited_at.toISOString();
        const schedule = scheduleFor(this.policy, exitedAt);
        const event: FamilyEvent = {
          type: 'FollowUpScheduled',
          data: { occurredAt: exitedAt, episode: r.episode, ...schedule },
        };
        const eventId = followUpEventId(r.follow_up_id, 'scheduled');
        if (!(await this.tryRecord(r.family_id, event, eventId, result))) return;
        result.scheduled++;
        // A back-dated exit may be due already: raise it now rather than on the next sweep.
        if (Date.parse(schedule.dueAt) <= at.getTime() + this.horizonMs) {
          await this.enqueue(at, [{ ...r, due_at: new Date(schedule.dueAt) }]);
          result.enqueued++;
        }
      });
    }
  }

  private async cancelReReferred(result: SweepResult): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await this.options.db.query(
        `SELECT follow_up_id, family_id, episode, re_referred_at FROM follow_ups
         WHERE status IN ('scheduled', 'due') AND re_referred_at IS NOT NULL
           AND follow_up_id > $1
         ORDER BY follow_up_id LIMIT ${PAGE}`,
        [after],
      )) as { follow_up_id: string; family_id: string; episode: number; re_referred_at: Date }[];
      if (!rows.length) return;
      after = rows[rows.length - 1].follow_up_id;
      await inParallel(rows, async (r) => {
        const event: FamilyEvent = {
          type: 'FollowUpCancelled',
          data: {
            occurredAt: r.re_referred_at.toISOString(),
            episode: r.episode,
            reason: 're_referred',
          },
        };
        if (
          await this.tryRecord(
            r.family_id,
            event,
            followUpEventId(r.follow_up_id, 'cancelled'),
            result,
          )
        ) {
          result.cancelled++;
        }
      });
    }
  }

  private async enqueueDue(at: Date, result: SweepResult): Promise<void> {
    const until = new Date(at.getTime() + this.horizonMs).toISOString();
    let after: [string, string] = ['-infinity', '00000000-0000-0000-0000-000000000000'];
    for (;;) {
      const rows = (await this.options.db.query(
        `SELECT follow_up_id, family_id, episode, authority, due_at FROM follow_ups
         WHERE status = 'scheduled' AND due_at <= $1 AND (due_at, follow_up_id) > ($2, $3)
         ORDER BY due_at, follow_up_id LIMIT ${PAGE}`,
        [until, ...after],
      )) as DueRow[];
      if (!rows.length) return;
      const last = rows[rows.length - 1];
      after = [last.due_at.toISOString(), last.follow_up_id];
      await this.enqueue(at, rows);
      result.enqueued += rows.length;
    }
  }

  private async enqueue(at: Date, rows: DueRow[]): Promise<void> {
    await this.dueQueue.addBulk(
      rows.map((r) => ({
        name: 'due',
        data: {
          followUpId: r.follow_up_id,
          familyId: r.family_id,
          episode: r.episode,
          authority: r.authority,
          dueAt: r.due_at.toISOString(),
        } satisfies DueJob,
        opts: dueJobOptions(r.follow_up_id, Math.max(0, r.due_at.getTime() - at.getTime())),
      })),
    );
  }

  /** Records one event; a broken invariant means someone else already did (or undid) it. */
  private async tryRecord(
    familyId: string,
    event: FamilyEvent,
    eventId: string,
    result: SweepResult,
  ): Promise<boolean> {
    try {
      await this.options.recorder.record(familyId, event, eventId);
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'conflict') return false;
      result.failed++;
      this.logger.error(`family ${familyId}: ${event.type} not recorded: ${describe(e)}`);
      return false;
    }
  }
}

/**
 * The job id is the follow-up id, so BullMQ holds at most one job per revisit however many sweeps
 * or workers enqueue it. Finished jobs are removed at once: a later sweep must be able to enqueue
 * the revisit again if its `FollowUpDue` did not get recorded.
 */
const dueJobOptions = (followUpId: string, delay: number): JobsOptions => ({
  jobId: followUpId,
  delay,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
});

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
}

/**
 * One operator tick "as at" a date (`followups tick --at <date>`, for demos): sweeps with the
 * clock fixed at `at`, processes the revisits that are due by then in this process, and returns
 * once none is left waiting. Revisits due later stay in PostgreSQL for a later tick.
 */
export async function runFollowUpTick(
  options: Omit<FollowUpEngineOptions, 'clock' | 'horizonMs'>,
  at: Date,
  timeoutMs = 5 * 60_000,
): Promise<SweepResult> {
  const engine = new FollowUpEngine({
    ...options,
    clock: { now: () => new Date(at) },
    horizonMs: 0,
  });
  try {
    engine.startWorkers();
    const result = await engine.sweep(at);
    const deadline = Date.now() + timeoutMs;
    while ((await engine.dueQueue.getJobCountByTypes('waiting', 'active', 'prioritized')) > 0) {
      if (Date.now() > deadline) throw new Error('follow-up tick: due jobs still waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
    return result;
  } finally {
    await engine.close();
  }
}
