import { AppConfig, Environment } from '@app/config';
import { AuditTrail, Principal, hashApiKey } from '@app/security';
import { Injectable, OnModuleDestroy } from '@nestjs/common';

export const DEFAULT_REFUSED_PER_MINUTE = new Environment().REFUSALS_PER_MINUTE;
const WINDOW_MS = 60_000;
/** Most callers (addresses, subjects) or unknown keys remembered: a flood cannot exhaust memory. */
const MAX_ENTRIES = 50_000;

/**
 * Refused requests a minute per client address (401) or per subject (403)
 * (`REFUSALS_PER_MINUTE`, default 300: a tenth of the per-caller budget); `RATE_LIMIT=off`
 * turns it off with the other limit.
 */
export const refusalLimitFrom = (auth: AppConfig['auth']): number | undefined =>
  auth.rateLimited ? auth.refusalsPerMinute : undefined;

interface Window {
  start: number;
  refused: number;
  /** Requests answered 429 in this window (over the budget), for the burst's one audit line. */
  limited: number;
  principal?: Principal;
}

/**
 * The budget of refused requests, checked before authentication: an address whose requests keep
 * failing authentication, or a subject whose requests keep lacking permission, gets `429` at once
 * for the rest of the minute — no token check, no key lookup, no audit line per request. A
 * subject's burst over the budget is written to the audit trail as one line (status 429, the
 * number of requests limited in `targetIds` as `limited:<n>`) when its minute ends.
 * Unknown API keys are remembered for a minute (by hash), so a key that failed once is refused
 * again without a database lookup.
 */
@Injectable()
export class RefusalLimiter implements OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly unknownKeys = new Map<string, number>();
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditTrail | undefined,
    readonly perMinute: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    if (perMinute === undefined) return;
    this.timer = setInterval(() => void this.flush(), WINDOW_MS);
    this.timer.unref();
  }

  /** A limiter that limits nothing. */
  static off(): RefusalLimiter {
    return new RefusalLimiter(undefined, undefined);
  }

  /** Seconds the caller must wait (it is over its budget), or 0. Counts the request if over. */
  limited(key: string): number {
    if (this.perMinute === undefined) return 0;
    const w = this.window(key, false);
    if (!w || w.refused < this.perMinute) return 0;
    w.limited++;
    return Math.max(1, Math.ceil((w.start + WINDOW_MS - this.now()) / 1000));
  }

  /** Counts a refused request (401 by address, 403 by subject). */
  refused(key: string, principal?: Principal): void {
    if (this.perMinute === undefined) return;
    const w = this.window(key, true)!;
    w.refused++;
    w.principal ??= principal;
  }

  isUnknownKey(key: string): boolean {
    const until = this.unknownKeys.get(hashApiKey(key));
    return until !== undefined && until > this.now();
  }

  rememberUnknownKey(key: string): void {
    if (this.unknownKeys.size >= MAX_ENTRIES) this.prune(this.unknownKeys, (u) => u);
    this.unknownKeys.set(hashApiKey(key), this.now() + WINDOW_MS);
  }

  /** Writes one audit line per finished burst (all bursts with `all`, at shutdown). */
  async flush(all = false): Promise<void> {
    const now = this.now();
    const lines: Promise<void>[] = [];
    for (const [key, w] of this.windows) {
      if (!all && w.start + WINDOW_MS > now) continue;
      this.windows.delete(key);
      if (w.limited && w.principal && this.audit) {
        lines.push(
          this.audit.append({
            principal: w.principal,
            method: '*',
            route: '(rate limited)',
            familyIds: [],
            targetIds: [`limited:${w.limited}`],
            status: 429,
            correlationId: `burst:${new Date(w.start).toISOString()}`,
          }),
        );
      }
    }
    await Promise.all(lines);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
  }

  private window(key: string, create: boolean): Window | undefined {
    const now = this.now();
    let w = this.windows.get(key);
    if (w && w.start + WINDOW_MS <= now) {
      // The minute is over: its burst (if any) is written by the next flush, under its own start.
      if (w.limited && w.principal) this.windows.set(`${key}@${w.start}`, w);
      this.windows.delete(key);
      w = undefined;
    }
    if (!w && create) {
      if (this.windows.size >= MAX_ENTRIES) this.prune(this.windows, (x) => x.start + WINDOW_MS);
      w = { start: now, refused: 0, limited: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  /** Drops expired entries (and, if still full, the oldest) of a bounded map. */
  private prune<T>(map: Map<string, T>, expiry: (value: T) => number): void {
    const now = this.now();
    for (const [k, v] of map) if (expiry(v) <= now && !(v as Window).limited) map.delete(k);
    while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  }
}
