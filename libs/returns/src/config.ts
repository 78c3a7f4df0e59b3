import { DEFAULT_REDIS_URL } from '@app/follow-ups';
import { DEFAULT_DISCLOSURE, DisclosureRule, checkRule } from './disclosure';

export interface ReturnsConfig {
  /** `RETURNS=off`: the worker does not build returns (requests wait, nothing is lost). */
  enabled: boolean;
  redisUrl: string;
  /** BullMQ key prefix (the follow-ups' by default; unset: derived from the store, `queuePrefix`). */
  prefix?: string;
  reconcileEveryMs: number;
  /**
   * `RETURNS_LOCK_MS`: how long a build's lock lasts unrenewed; a worker killed mid-build has its
   * job taken back from it (BullMQ's stalled-job check) after about this long.
   */
  lockMs: number;
}

export function returnsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ReturnsConfig {
  const reconcileEveryMs = Number(env.RETURNS_RECONCILE_EVERY_MS ?? 60_000);
  if (!Number.isInteger(reconcileEveryMs) || reconcileEveryMs < 100) {
    throw new Error(
      'RETURNS_RECONCILE_EVERY_MS must be a whole number of milliseconds, at least 100',
    );
  }
  const lockMs = Number(env.RETURNS_LOCK_MS ?? 30_000);
  if (!Number.isInteger(lockMs) || lockMs < 500) {
    throw new Error('RETURNS_LOCK_MS must be a whole number of milliseconds, at least 500');
  }
  return {
    enabled: env.RETURNS !== 'off',
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    prefix: env.RETURNS_QUEUE_PREFIX || env.FOLLOW_UP_QUEUE_PREFIX || undefined,
    reconcileEveryMs,
    lockMs,
  };
}

/** The rule for evaluator queries (`DISCLOSURE_THRESHOLD`, default 5: counts 1–4 suppressed). */
export function disclosureRuleFromEnv(env: NodeJS.ProcessEnv = process.env): DisclosureRule {
  return checkRule({ threshold: Number(env.DISCLOSURE_THRESHOLD ?? DEFAULT_DISCLOSURE.threshold) });
}
