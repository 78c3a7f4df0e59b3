import { ExecutionContext } from '@nestjs/common';
import { Env, loadConfig } from '@app/config';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, rateLimitFrom } from './rate-limit';

/** The limit as the API reads it at start: the environment through the configuration. */
const rateLimitFromEnv = (env: Env) => rateLimitFrom(loadConfig(env).auth);

describe('rateLimitFrom', () => {
  const ctx = {} as ExecutionContext;
  const limitOf = (env: NodeJS.ProcessEnv) => {
    const { throttlers } = rateLimitFromEnv(env) as { throttlers: { limit: number }[] };
    return throttlers[0].limit;
  };

  it('defaults, and takes a configured limit', () => {
    expect(limitOf({})).toBe(DEFAULT_RATE_LIMIT_PER_MINUTE);
    expect(limitOf({ RATE_LIMIT_PER_MINUTE: '60' })).toBe(60);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      expect(() => rateLimitFromEnv({ RATE_LIMIT_PER_MINUTE: bad })).toThrow(/whole number/);
    }
  });

  it('is on unless RATE_LIMIT=off', () => {
    const skip = (env: NodeJS.ProcessEnv) =>
      (rateLimitFromEnv(env) as { skipIf: (c: ExecutionContext) => boolean }).skipIf(ctx);
    expect(skip({})).toBe(false);
    expect(skip({ RATE_LIMIT: 'off' })).toBe(true);
  });
});
