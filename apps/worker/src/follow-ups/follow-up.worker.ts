import { Clock, systemClock } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import {
  FollowUpConfig,
  FollowUpEngine,
  RedisEvictionPolicyError,
  assertNoEviction,
  RedisOwnedElsewhereError,
  claimQueues,
  followUpRecorder,
  queuePrefix,
} from '@app/follow-ups';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackgroundService } from '../lifecycle';
import {
  REDIS_DOWN_LOG_EVERY_MS,
  REDIS_START_WAIT_MS,
  RedisLink,
  RedisLinks,
} from '../redis/redis-link';

export const FOLLOW_UP_CONFIG = Symbol('FollowUpConfig');

/**
 * Runs the follow-up sweep on an in-process timer (every `FOLLOW_UP_SWEEP_EVERY_MS`, under a
 * PostgreSQL advisory lock so that several workers sweep one at a time), and the due-job and
 * webhook processors on BullMQ. Nothing about *when* to sweep lives in Redis, so a flushed,
 * restarted or evicted Redis cannot stop the sweeps: the next one re-enqueues every revisit due
 * and not yet raised. While Redis is down the sweeps pause (one log line a minute, from the
 * link) and resume by themselves; start-up never waits on Redis beyond a short check, so the
 * projections run regardless. A Redis that answers at start and may evict keys is refused.
 */
@Injectable()
export class FollowUpWorker extends BackgroundService {
  private readonly logger = new Logger('follow-ups');
  private readonly clock: Clock = systemClock;
  private link?: RedisLink;
  private engine?: FollowUpEngine;
  private evictionChecked = false;
  private claimed = false;
  private storeId = '';
  private prefix = '';
  private workersStarted = false;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private evictionLoggedAt = -Infinity;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly db: DataSource,
    @Inject(FOLLOW_UP_CONFIG) private readonly config: FollowUpConfig,
    private readonly links: RedisLinks,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const link = (this.link = this.links.get(this.config.redisUrl));
    const { id } = await this.store.identity();
    this.storeId = id;
    const prefix = (this.prefix = queuePrefix(this.config.prefix, id));
    // A Redis that answers and may evict jobs, or whose queues belong to another deployment, is
    // refused at start, loudly (the process exits).
    if (await link.whenReady(REDIS_START_WAIT_MS)) {
      await assertNoEviction(link.connection);
      this.evictionChecked = true;
      await claimQueues(link.connection, prefix, id);
      this.claimed = true;
    } else {
      link.down();
    }
    this.engine = new FollowUpEngine({
      db: this.db,
      recorder: followUpRecorder(this.store, this.clock),
      clock: this.clock,
      redis: link.connection,
      policy: this.config.policy,
      prefix,
      horizonMs: Math.max(5 * 60_000, 2 * this.config.sweepEveryMs),
      webhookUrl: this.config.webhookUrl,
      logger: link.engineLogger(this.logger),
    });
    this.logger.log(
      `follow-ups: policy v${this.config.policy.version}, sweep every ${this.config.sweepEveryMs} ms`,
    );
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.config.sweepEveryMs);
      });
    }, delayMs);
  }

  /** One turn of the timer: a sweep if Redis answers (and is fit for jobs), else a pause. */
  private async tick(): Promise<void> {
    const link = this.link!;
    const engine = this.engine!;
    if (!link.isUp) return link.down();
    try {
      if (!this.evictionChecked) {
        await assertNoEviction(link.connection);
        this.evictionChecked = true;
      }
      if (!this.claimed) {
        await claimQueues(link.connection, this.prefix, this.storeId);
        this.claimed = true;
      }
      if (!this.workersStarted) {
        engine.startWorkers();
        this.workersStarted = true;
      }
      await engine.sweepExclusively(this.clock.now());
    } catch (e) {
      if (e instanceof RedisEvictionPolicyError || e instanceof RedisOwnedElsewhereError) {
        // Came up evicting, or another deployment's, after a start without it: keep follow-ups
        // paused, say why (a minute apart).
        if (Date.now() - this.evictionLoggedAt < REDIS_DOWN_LOG_EVERY_MS) return;
        this.evictionLoggedAt = Date.now();
        this.logger.error(`${e.message}; follow-ups paused`);
      } else link.failed(e, 'follow-up sweep');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A sweep stuck on a Redis that went away mid-way is not waited for beyond a few seconds.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (this.engine) await this.link!.shutdown(() => this.engine!.close());
  }
}
