import { DisclosureRule, checkRule } from './disclosure';

/** `loadConfig().returns`. */
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

/** The rule for evaluator queries (`DISCLOSURE_THRESHOLD`, default 5: counts 1–4 suppressed). */
export const disclosureRule = (threshold: number): DisclosureRule => checkRule({ threshold });
