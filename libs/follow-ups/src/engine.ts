import {
  Clock,
  DEFAULT_FOLLOW_UP_POLICY,
  DomainError,
  FamilyIntent,
  FollowUpPolicy,
  scheduleFor,
} from '@app/domain';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { followUpEventId } from './ids';
import {
  DueJob,
  NotifyJob,
  QUEUES,
  SweepResult,
  dueJobOptions,
  eachPage,
  inParallel,
} from './jobs';
import {
  FIRST_FOLLOW_UP_ID,
  RevisitRef,
  reReferredPending,
  scheduledDueBy,
  unscheduledExits,
} from './read-model';
import { FollowUpRecorder } from './recorder';

export { QUEUES };
export type { DueJob, NotifyJob, SweepResult };

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

const PAGE = 1000;
const CONCURRENCY = 8;
/** Each revisit `page` lists, a keyset page (by follow-up id) at a time, several at once. */
const eachRevisit = <R extends RevisitRef>(
  page: (after: string) => Promise<R[]>,
  work: (revisit: R) => Promise<void>,
) =>
  eachPage(
    FIRST_FOLLOW_UP_ID,
    page,
    (last) => last.follow_up_id,
    (rows) => inParallel(rows, work),
  );
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
    try {
      await this.options.recorder.record(
        job.familyId,
        { type: 'MarkRevisitDue', episode: job.episode },
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
    const types = this.policy.exitTypes === 'all' ? null : this.policy.exitTypes;
    const keep = this.policy.onReReferral === 'keep';
    await eachRevisit(
      (after) => unscheduledExits(this.options.db, types, keep, after, PAGE),
      async (r) => {
        const intent: FamilyIntent = {
          type: 'ScheduleRevisit',
          episode: r.episode,
          policy: this.policy,
        };
        const eventId = followUpEventId(r.follow_up_id, 'scheduled');
        if (!(await this.tryRecord(r.family_id, intent, eventId, result))) return;
        result.scheduled++;
        // A back-dated exit may be due already: raise it now rather than on the next sweep.
        const { dueAt } = scheduleFor(this.policy, r.exited_at);
        if (Date.parse(dueAt) <= at.getTime() + this.horizonMs) {
          await this.enqueue(at, [{ ...r, due_at: new Date(dueAt) }]);
          result.enqueued++;
        }
      },
    );
  }

  private async cancelReReferred(result: SweepResult): Promise<void> {
    await eachRevisit(
      (after) => reReferredPending(this.options.db, after, PAGE),
      async (r) => {
        const intent: FamilyIntent = {
          type: 'CancelRevisit',
          episode: r.episode,
          occurredAt: r.re_referred_at.toISOString(),
          reason: 're_referred',
        };
        const eventId = followUpEventId(r.follow_up_id, 'cancelled');
        if (await this.tryRecord(r.family_id, intent, eventId, result)) result.cancelled++;
      },
    );
  }

  private async enqueueDue(at: Date, result: SweepResult): Promise<void> {
    const until = new Date(at.getTime() + this.horizonMs).toISOString();
    await eachPage<{ follow_up_id: string; due_at: Date } & RevisitRef, [string, string]>(
      ['-infinity', FIRST_FOLLOW_UP_ID],
      (after) => scheduledDueBy(this.options.db, until, after, PAGE),
      (last) => [last.due_at.toISOString(), last.follow_up_id],
      async (rows) => {
        await this.enqueue(at, rows);
        result.enqueued += rows.length;
      },
    );
  }

  private async enqueue(at: Date, rows: (RevisitRef & { due_at: Date })[]): Promise<void> {
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
    intent: FamilyIntent,
    eventId: string,
    result: SweepResult,
  ): Promise<boolean> {
    try {
      await this.options.recorder.record(familyId, intent, eventId);
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'conflict') return false;
      result.failed++;
      this.logger.error(`family ${familyId}: ${intent.type} not recorded: ${describe(e)}`);
      return false;
    }
  }
}
