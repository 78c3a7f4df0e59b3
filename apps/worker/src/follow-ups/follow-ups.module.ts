import { Clock, systemClock } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import {
  FollowUpConfig,
  FollowUpEngine,
  assertNoEviction,
  claimQueues,
  connectRedis,
  followUpConfigFromEnv,
  followUpRecorder,
  queuePrefix,
} from '@app/follow-ups';
import {
  BeforeApplicationShutdown,
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';

const FOLLOW_UP_CONFIG = Symbol('FollowUpConfig');

/**
 * Runs the follow-up sweep (registered once as a BullMQ job scheduler), the due-job processor and
 * the webhook notifier. Refuses to start on a Redis that may evict keys.
 */
@Injectable()
class FollowUpWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private redis?: Redis;
  private engine?: FollowUpEngine;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly db: DataSource,
    @Inject(FOLLOW_UP_CONFIG) private readonly config: FollowUpConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = new Logger('follow-ups');
    const clock: Clock = systemClock;
    this.redis = connectRedis(this.config.redisUrl);
    await assertNoEviction(this.redis).catch(async (e: unknown) => {
      await this.redis?.quit().catch(() => undefined);
      this.redis = undefined;
      throw e;
    });
    const { id } = await this.store.identity();
    const prefix = queuePrefix(this.config.prefix, id);
    await claimQueues(this.redis, prefix, id);
    this.engine = new FollowUpEngine({
      db: this.db,
      recorder: followUpRecorder(this.store, clock),
      clock,
      redis: this.redis,
      policy: this.config.policy,
      prefix,
      horizonMs: Math.max(5 * 60_000, 2 * this.config.sweepEveryMs),
      webhookUrl: this.config.webhookUrl,
      logger: { log: (m) => logger.log(m), error: (m) => logger.error(m) },
    });
    await this.engine.registerSweepScheduler(this.config.sweepEveryMs);
    this.engine.startWorkers();
    logger.log(
      `follow-ups: policy v${this.config.policy.version}, sweep every ${this.config.sweepEveryMs} ms`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine?.close();
    await this.redis?.quit().catch(() => undefined);
  }
}

@Module({})
export class FollowUpsWorkerModule {
  static forRoot(config: FollowUpConfig = followUpConfigFromEnv()): DynamicModule {
    return {
      module: FollowUpsWorkerModule,
      providers: config.enabled
        ? [{ provide: FOLLOW_UP_CONFIG, useValue: config }, FollowUpWorker]
        : [],
    };
  }
}
