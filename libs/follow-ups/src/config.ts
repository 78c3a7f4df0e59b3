import { readFileSync } from 'node:fs';
import { DEFAULT_FOLLOW_UP_POLICY, FollowUpPolicy, parsePolicy } from './policy';
import { DEFAULT_REDIS_URL } from './redis';

export interface FollowUpConfig {
  /** `FOLLOW_UPS=off` runs a worker with projections only. */
  enabled: boolean;
  redisUrl: string;
  /** BullMQ key prefix (`FOLLOW_UP_QUEUE_PREFIX`); unset: derived from the store, `queuePrefix`. */
  prefix?: string;
  sweepEveryMs: number;
  webhookUrl?: string;
  policy: FollowUpPolicy;
}

/** Configuration from the environment (README lists the variables and their defaults). */
export function followUpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FollowUpConfig {
  const sweepEveryMs = Number(env.FOLLOW_UP_SWEEP_EVERY_MS ?? 60_000);
  if (!Number.isInteger(sweepEveryMs) || sweepEveryMs < 100) {
    throw new Error(
      'FOLLOW_UP_SWEEP_EVERY_MS must be a whole number of milliseconds, at least 100',
    );
  }
  return {
    enabled: env.FOLLOW_UPS !== 'off',
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    prefix: env.FOLLOW_UP_QUEUE_PREFIX || undefined,
    sweepEveryMs,
    webhookUrl: env.FOLLOW_UP_WEBHOOK_URL || undefined,
    policy: env.FOLLOW_UP_POLICY_FILE
      ? parsePolicy(JSON.parse(readFileSync(env.FOLLOW_UP_POLICY_FILE, 'utf8')))
      : DEFAULT_FOLLOW_UP_POLICY,
  };
}

/**
 * BullMQ key prefix of a deployment: the one configured, or one derived from its event store's
 * identity, so that two deployments (or a test run and a dev instance) on one Redis database
 * never share queues. A restored store keeps its id, hence its queues.
 */
export function queuePrefix(configured: string | undefined, storeId: string): string {
  return configured ?? `outcomes-${storeId}`;
}
