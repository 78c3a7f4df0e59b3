import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/**
 * The secrets docker/compose.yml needs, fresh from the system's random source: never defaults,
 * never reused between deployments.
 */
export function freshSecrets(): Record<string, string> {
  return {
    // Hex: safe inside DATABASE_URL without escaping.
    POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
    // The two ledger roles (scripts/db-roles.sql): the owner migrates, the service connects.
    OUTCOMES_OWNER_PASSWORD: randomBytes(24).toString('hex'),
    OUTCOMES_SERVICE_PASSWORD: randomBytes(24).toString('hex'),
    AUTH_JWT_SECRET: randomBytes(48).toString('base64url'),
    // 32 bytes, hex (what PII_MASTER_KEY must be).
    PII_MASTER_KEY: randomBytes(32).toString('hex'),
  };
}

/**
 * Writes the env file (mode 600) and refuses to replace one: its PII_MASTER_KEY is the only way to
 * read the personal data already stored with it.
 */
export function writeEnvFile(file: string): string[] {
  const secrets = freshSecrets();
  const body =
    '# Written by `outcomes init`. Keep it secret and backed up: PII_MASTER_KEY decrypts the\n' +
    "# families' personal data, and a lost key cannot be recovered.\n" +
    Object.entries(secrets)
      .map(([name, value]) => `${name}=${value}\n`)
      .join('');
  try {
    writeFileSync(file, body, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(
        `${file} exists: keep it (its PII_MASTER_KEY decrypts the stored personal data); to start a new deployment, choose another file`,
        { cause: e },
      );
    }
    throw e;
  }
  return Object.keys(secrets);
}
