import { AppConfig, Environment } from '@app/config';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from './auth.guard';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = new Environment().RATE_LIMIT_PER_MINUTE;

/**
 * Requests per minute per caller (`RATE_LIMIT_PER_MINUTE`, default 3000: far above a person's
 * use, low enough to stop a runaway script); `RATE_LIMIT=off` turns it off (load tests).
 */
export function rateLimitFrom(auth: AppConfig['auth']): ThrottlerModuleOptions {
  const off = !auth.rateLimited;
  return {
    throttlers: [{ name: 'default', ttl: 60_000, limit: auth.ratePerMinute }],
    skipIf: () => off,
  };
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
