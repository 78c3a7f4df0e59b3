import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from './auth.guard';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 3000;

/**
 * Requests per minute per caller (`RATE_LIMIT_PER_MINUTE`, default 3000: far above a person's
 * use, low enough to stop a runaway script); `RATE_LIMIT=off` turns it off (load tests).
 */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): ThrottlerModuleOptions {
  const raw = env.RATE_LIMIT_PER_MINUTE;
  const limit = raw === undefined || raw === '' ? DEFAULT_RATE_LIMIT_PER_MINUTE : Number(raw);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error('RATE_LIMIT_PER_MINUTE must be a whole number, at least 1');
  }
  const off = env.RATE_LIMIT === 'off';
  return { throttlers: [{ name: 'default', ttl: 60_000, limit }], skipIf: () => off };
}

/**
 * Runs after authentication (registered after AuthGuard), so a caller is counted by who they are,
 * not by an address that many users may share; the address only when there is no caller.
 * Answers 429 with Retry-After.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(request: AuthenticatedRequest): Promise<string> {
    return Promise.resolve(
      request.principal ? `subject:${request.principal.subject}` : `ip:${request.ip}`,
    );
  }
}
