import { EVENT_STORE, EventStore } from '@app/event-store';
import { RedisLinks, queuePrefix } from '@app/follow-ups';
import { RETURNS_QUEUE, ReturnsConfig, enqueueReturn } from '@app/returns';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';

export const RETURNS_CONFIG = Symbol('ReturnsConfig');

/** Queues builds for the worker; a queue that does not answer in time is left to the reconciler. */
@Injectable()
export class ReturnsQueue {
  private readonly logger = new Logger('returns');
  private queue?: Queue;

  constructor(
    @Inject(RETURNS_CONFIG) private readonly config: ReturnsConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly redis: RedisLinks,
  ) {}

  async enqueue(id: string): Promise<void> {
    if (!this.queue) {
      const prefix = queuePrefix(this.config.prefix, (await this.store.identity()).id);
      this.queue = this.redis.queue(RETURNS_QUEUE, prefix, this.config.redisUrl);
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
}
