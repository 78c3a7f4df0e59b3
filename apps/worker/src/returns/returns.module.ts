import { EVENT_STORE, EventStore } from '@app/event-store';
import { claimQueues, connectRedis, queuePrefix } from '@app/follow-ups';
import { definitionsFromEnv } from '@app/outcomes';
import {
  ReturnsConfig,
  ReturnsEngine,
  returnsConfigFromEnv,
  savingsCostAvoidance,
  softwareVersion,
} from '@app/returns';
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

const RETURNS_CONFIG = Symbol('ReturnsConfig');

/**
 * Builds national returns from the `returns` queue; on start (and then periodically) queues
 * again every request still unfinished, so a flushed Redis or a crash mid-build loses nothing.
 */
@Injectable()
class ReturnsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private redis?: Redis;
  private engine?: ReturnsEngine;

  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RETURNS_CONFIG) private readonly config: ReturnsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = new Logger('returns');
    this.redis = connectRedis(this.config.redisUrl);
    const { id } = await this.store.identity();
    const prefix = queuePrefix(this.config.prefix, id);
    await claimQueues(this.redis, prefix, id);
    this.engine = new ReturnsEngine({
      db: this.db,
      redis: this.redis,
      prefix,
      definitions: definitionsFromEnv(),
      software: softwareVersion(),
      costs: savingsCostAvoidance(),
      logger: { log: (m) => logger.log(m), error: (m) => logger.error(m) },
    });
    this.engine.start(this.config.reconcileEveryMs, this.config.lockMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine?.close();
    await this.redis?.quit().catch(() => undefined);
  }
}

@Module({})
export class ReturnsWorkerModule {
  static forRoot(config: ReturnsConfig = returnsConfigFromEnv()): DynamicModule {
    return {
      module: ReturnsWorkerModule,
      providers: config.enabled
        ? [{ provide: RETURNS_CONFIG, useValue: config }, ReturnsWorker]
        : [],
    };
  }
}
