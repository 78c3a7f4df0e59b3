import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env, loadConfig } from '@app/config';
import { jwtSecretFrom } from './secret';

const jwtSecretFromEnv = (env: Env) => jwtSecretFrom(loadConfig(env));

describe('jwtSecretFrom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-secret-'));

  it('uses AUTH_JWT_SECRET when set, and refuses a short one', () => {
    const secret = 'x'.repeat(32);
    expect(jwtSecretFromEnv({ AUTH_JWT_SECRET: secret })).toEqual({
      secret,
      source: 'AUTH_JWT_SECRET',
    });
    expect(() => jwtSecretFromEnv({ AUTH_JWT_SECRET: 'short' })).toThrow(/at least 32/);
  });

  it('refuses to run in production without one', () => {
    expect(() => jwtSecretFromEnv({ NODE_ENV: 'production' })).toThrow(/production/);
  });

  it('otherwise makes one random secret per user, readable by its owner only', () => {
    const file = join(dir, 'nested', 'dev-jwt-secret');
    const first = jwtSecretFromEnv({ AUTH_DEV_SECRET_FILE: file });
    const second = jwtSecretFromEnv({ AUTH_DEV_SECRET_FILE: file });
    expect(first.secret).toHaveLength(43);
    expect(second.secret).toBe(first.secret);
    expect(readFileSync(file, 'utf8')).toBe(first.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const other = jwtSecretFromEnv({ AUTH_DEV_SECRET_FILE: join(dir, 'other') });
    expect(other.secret).not.toBe(first.secret);
  });
});
