import { Redis } from 'ioredis';

export class RedisOwnedElsewhereError extends Error {
  override readonly name = 'RedisOwnedElsewhereError';
  constructor(
    readonly prefix: string,
    readonly owner: string,
    readonly storeId: string,
  ) {
    super(
      `Redis queues under prefix ${prefix} belong to another deployment (event store ${owner}; ` +
        `this one is ${storeId}): its worker would take our jobs and we its. Use a Redis ` +
        `database of this deployment's own, or leave the queue prefix variables unset`,
    );
  }
}

/**
 * Marks the queues under `prefix` as this deployment's (by store id) on first use, and refuses
 * them if another deployment's mark is there. A flushed Redis is simply marked again.
 */
export async function claimQueues(redis: Redis, prefix: string, storeId: string): Promise<void> {
  const key = `${prefix}:deployment`;
  if ((await redis.set(key, storeId, 'NX')) === 'OK') return;
  const owner = await redis.get(key);
  if (owner !== null && owner !== storeId) {
    throw new RedisOwnedElsewhereError(prefix, owner, storeId);
  }
  if (owner === null) await claimQueues(redis, prefix, storeId);
}
