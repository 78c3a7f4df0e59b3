import { Clock } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { APP_CONFIG, AppConfig } from '@app/config';
import {
  QUEUES as FOLLOW_UP_QUEUES,
  RedisLinks,
  followUpCounts,
  queuePrefix,
} from '@app/follow-ups';
import { projectionCheckpoints } from '@app/projections';
import { RETURNS_QUEUE } from '@app/returns';
import { Inject, Injectable } from '@nestjs/common';
import { JobType, Queue } from 'bullmq';
import { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { CLOCK } from '../clock';
import { Dependencies } from '../health/dependencies';

/** Most unapplied events read per scrape to count projection lag; beyond it the gauge says "at least". */
export const LAG_COUNT_CAP = 10_000;

/** BullMQ queues whose depth is reported, each under its configured key prefix. */
const metricQueues = (config: AppConfig, storeId: string): { name: string; prefix: string }[] => [
  ...Object.values(FOLLOW_UP_QUEUES).map((name) => ({
    name,
    prefix: queuePrefix(config.followUps.prefix, storeId),
  })),
  { name: RETURNS_QUEUE, prefix: queuePrefix(config.returns.prefix, storeId) },
];

/** A scrape does not wait on Redis longer than this. */
const QUEUE_READ_TIMEOUT_MS = 1000;

/** `work`, or a rejection after `ms` (the timer cleared either way). */
const within = <T>(work: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

const JOB_STATES: JobType[] = [
  'waiting',
  'delayed',
  'active',
  'failed',
  'prioritized',
  'waiting-children',
];

/** The gauges, read at scrape time: name, help, then label names. */
const GAUGES = {
  head: ['outcomes_event_store_head_position', 'Global position of the last event in the store'],
  lagEvents: [
    'outcomes_projection_lag_events',
    `Events appended but not yet applied, by projection (counted up to ${LAG_COUNT_CAP})`,
    'projection',
  ],
  lagSeconds: [
    'outcomes_projection_lag_seconds',
    'Age of the oldest event a projection has not applied yet (0 when caught up)',
    'projection',
  ],
  queueJobs: ['outcomes_queue_jobs', 'BullMQ jobs by queue and state', 'queue', 'state'],
  queueUp: [
    'outcomes_queue_up',
    '1 if Redis answered the queue-depth query at this scrape, else 0',
  ],
  dependencyUp: [
    'outcomes_dependency_up',
    '1 if the dependency (database, eventStore, redis) answered at this scrape, else 0',
    'dependency',
  ],
  followUps: [
    'outcomes_follow_ups',
    'Revisits by status (due, overdue, …) as at the scrape, per authority',
    'authority',
    'status',
  ],
} satisfies Record<string, readonly [string, string, ...string[]]>;

/**
 * The Prometheus metrics of one API process, on a registry of its own (several apps may share a
 * process in tests). Counters and the latency histogram are updated as requests happen; gauges
 * over the log, read models and queues are read at scrape time.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly eventsRecorded = new Counter({
    name: 'outcomes_events_recorded_total',
    help: 'Events recorded through this API process, by type (an idempotent retry counts again)',
    labelNames: ['type'],
    registers: this.registers,
  });
  readonly httpDuration = new Histogram({
    name: 'outcomes_http_request_duration_seconds',
    help: 'HTTP request latency, by route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: this.registers,
  });
  /** The gauges of `GAUGES`, on this process's registry. */
  private readonly gauges = Object.fromEntries(
    Object.entries(GAUGES).map(([key, [name, help, ...labelNames]]) => [
      key,
      new Gauge({ name, help, labelNames, registers: this.registers }),
    ]),
  ) as Record<keyof typeof GAUGES, Gauge>;

  private queues?: Queue[];

  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dependencies: Dependencies,
    private readonly redis: RedisLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'outcomes_' });
  }

  /** Express middleware timing every request under its route template (never the raw URL). */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.httpDuration.startTimer();
      res.once('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path;
        end({
          method: req.method,
          route: route ?? (res.statusCode === 404 ? 'unmatched' : 'other'),
          status: String(res.statusCode),
        });
      });
      next();
    };
  }

  /** The exposition text, gauges refreshed first. */
  async scrape(): Promise<string> {
    const report = await this.dependencies.check();
    for (const dependency of ['database', 'eventStore', 'redis'] as const)
      this.gauges.dependencyUp.set({ dependency }, report[dependency] === 'up' ? 1 : 0);
    await Promise.all([this.readLog(), this.readQueues(), this.readFollowUps()]);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async readLog(): Promise<void> {
    const head = await this.store.headPosition();
    this.gauges.head.set(Number(head));
    const checkpoints = await projectionCheckpoints(this.db);
    if (!checkpoints.size) return;
    const from = [...checkpoints.values()].reduce((a, b) => (b < a ? b : a));
    // One read from the furthest-behind checkpoint serves every projection.
    const behind = from < head ? await this.store.readAll(from, { limit: LAG_COUNT_CAP }) : [];
    const now = this.clock.now().getTime();
    for (const [name, position] of checkpoints) {
      const pending = behind.filter((e) => e.position > position);
      const oldest = pending[0]?.metadata.recordedAt;
      this.gauges.lagEvents.set({ projection: name }, pending.length);
      this.gauges.lagSeconds.set(
        { projection: name },
        oldest ? Math.max(0, (now - Date.parse(oldest)) / 1000) : 0,
      );
    }
  }

  private async readQueues(): Promise<void> {
    // The shared link (RedisLinks); a scrape does not wait on a Redis that is down.
    const link = this.redis.get(this.config.redisUrl);
    try {
      if (!(await link.whenReady(QUEUE_READ_TIMEOUT_MS))) throw new Error('Redis is down');
      if (!this.queues) {
        const { id } = await this.store.identity();
        this.queues = metricQueues(this.config, id).map(({ name, prefix }) =>
          this.redis.queue(name, prefix, this.config.redisUrl),
        );
      }
      const queues = this.queues;
      const counts = await within(
        Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES))),
        QUEUE_READ_TIMEOUT_MS,
      );
      queues.forEach((queue, i) => {
        for (const state of JOB_STATES)
          this.gauges.queueJobs.set({ queue: queue.name, state }, counts[i][state] ?? 0);
      });
      this.gauges.queueUp.set(1);
    } catch {
      this.gauges.queueUp.set(0);
    }
  }

  private async readFollowUps(): Promise<void> {
    this.gauges.followUps.reset();
    for (const { authority, status, count } of await followUpCounts(this.db, this.clock.now()))
      this.gauges.followUps.set({ authority, status }, count);
  }
}
