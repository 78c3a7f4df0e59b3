import { readFileSync } from 'node:fs';
import { DEFAULT_FOLLOW_UP_POLICY, FollowUpPolicy, parsePolicy } from './policy';
import type { AppConfig } from '@app/config';

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

/** The follow-ups' configuration (`loadConfig().followUps`), with its policy file read and checked. */
export function followUpConfigFrom(settings: AppConfig['followUps']): FollowUpConfig {
  const { policyFile, ...rest } = settings;
  return {
    ...rest,
    policy: policyFile
      ? parsePolicy(JSON.parse(readFileSync(policyFile, 'utf8')))
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
