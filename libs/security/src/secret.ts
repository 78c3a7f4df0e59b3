import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AppConfig } from '@app/config';
import { dirname } from 'node:path';

export const MIN_SECRET_LENGTH = 32;

export interface JwtSecret {
  secret: string;
  /** Where it came from, for a start-up line (never the secret itself). */
  source: 'AUTH_JWT_SECRET' | `development secret file ${string}`;
}

/**
 * The key tokens are signed with: `AUTH_JWT_SECRET` (at least 32 characters). Production
 * (`NODE_ENV=production`) refuses to start without it. Elsewhere (a laptop, the demo) a random
 * secret is made once and kept in a file only this user can read (`AUTH_DEV_SECRET_FILE`, per
 * user, per machine), so the API and
 * `outcomes token` agree without a well-known default secret that would open every install.
 */
export function jwtSecretFrom(config: Pick<AppConfig, 'auth' | 'production'>): JwtSecret {
  const configured = config.auth.jwtSecret;
  if (configured !== undefined) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new Error(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return { secret: configured, source: 'AUTH_JWT_SECRET' };
  }
  if (config.production) {
    throw new Error('AUTH_JWT_SECRET must be set in production (NODE_ENV=production)');
  }
  const file = config.auth.devSecretFile;
  return { secret: readOrCreate(file), source: `development secret file ${file}` };
}

/** A random secret kept in `file` (made on first use, owner-only); shared by every local process. */
export function readOrCreate(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': if another process (the API, the CLI) made it first, use theirs.
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}
