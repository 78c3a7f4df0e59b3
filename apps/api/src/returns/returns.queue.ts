import { EVENT_STORE, EventStore } from '@app/event-store';
import { connectRedis, queuePrefix } from '@app/follow-ups';
import { RETURNS_QUEUE, ReturnsConfig, enqueueReturn } from '@app/returns';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

export const RETURNS_CONFIG = Symbol('ReturnsConfig');

/** Queues builds for the worker; a queue that does not answer in time is left to the reconciler. */
@Injectable()
export class ReturnsQueue implements OnModuleDestroy {
  private readonly logger = new Logger('returns');
  private redis?: Redis;
  private queue?: Queue;

  constructor(
    @Inject(RETURNS_CONFIG) private readonly config: ReturnsConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async enqueue(id: string): Promise<void> {
    if (!this.queue) {
      const prefix = queuePrefix(this.config.prefix, (await this.store.identity()).id);
      this.redis = connectRedis(this.config.redisUrl);
      this.redis.on('error', () => undefined);
      this.queue = new Queue(RETURNS_QUEUE, { connection: this.redis, prefix });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('queue did not answer in 2 s')), 2000);
    });
    try {
      await Promise.race([enqueueReturn(this.queue, id), timeout]);
    } catch (e) {
      // Stored already: the worker's reconciler queues it when Redis is back.
      this.logger.warn(`return ${id} not queued (${(e as Error).message}); the reconciler will`);
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
    this.redis?.disconnect();
  }
}
