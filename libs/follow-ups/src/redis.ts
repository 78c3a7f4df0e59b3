import IORedis, { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A connection BullMQ workers can use (they need `maxRetriesPerRequest: null`). */
export function connectRedis(url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null });
}

export class RedisEvictionPolicyError extends Error {
  override readonly name = 'RedisEvictionPolicyError';
  constructor(readonly policy: string) {
    super(
      `Redis maxmemory-policy is ${policy}: it may evict queued jobs; follow-ups need noeviction`,
    );
  }
}

/**
 * Refuses a Redis that may evict keys under memory pressure: an evicted job would be a revisit
 * raised late (the sweeper would find it again, but only on its next pass). Reads INFO, which
 * managed Redis services allow even where CONFIG is disabled.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const info = await redis.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy !== 'noeviction') throw new RedisEvictionPolicyError(policy ?? 'unknown');
}
