import { loadConfig } from '@app/config';
import IORedis, { Redis } from 'ioredis';

export { DEFAULT_REDIS_URL } from '@app/config';

/**
 * A connection BullMQ workers can use (they need `maxRetriesPerRequest: null`), for tests and
 * scripts (the configured `REDIS_URL` by default); the apps use `RedisLinks`.
 */
export function connectRedis(url: string = loadConfig().redisUrl): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null });
}

/** Host and port of a Redis URL, for logs and messages: never the password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'an unparsable REDIS_URL';
  }
}

/** Whether Redis answers a PING within `timeoutMs` (one attempt, no retrying, nothing logged). */
export async function redisAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const probe = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Errors that mean "Redis is not answering" (reported once a minute), not a fault in our code. */
export function isRedisConnectionError(e: unknown): boolean {
  const text =
    e instanceof Error ? `${(e as { code?: string }).code ?? ''} ${e.message}` : String(e);
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|MaxRetriesPerRequest|LOADING/.test(
    text,
  );
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
