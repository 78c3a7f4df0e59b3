import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DatabaseConfig, createPool, quoteIdent } from '../postgres/database';

/** The `test` database of the machine (see README); overridable for other set-ups. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The roles `scripts/db-roles.sql` creates: the owner migrates, the service owns nothing. */
export const OWNER_ROLE = 'outcomes_owner';
export const SERVICE_ROLE = 'outcomes_service';

/** The test database's URL with another user (trust authentication on this machine). */
export function testDatabaseUrlAs(role: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** Creates the owner and service roles if missing (the dev set-up's script, run as a superuser). */
export async function ensureDatabaseRoles(pool: Pool): Promise<void> {
  await pool.query(readFileSync(join(__dirname, '../../../../scripts/db-roles.sql'), 'utf8'));
}

/**
 * A fresh, uniquely named schema in the test database, so test files can run in parallel without
 * seeing each other's rows. `drop()` removes it.
 *
 * With `roles` (or TEST_DATABASE_ROLES=split in the environment), the schema belongs to the owner
 * role, which migrates (`migrationUrl`), and the service connects as the service role (`url`), as
 * in production; without, everything runs as the superuser of TEST_DATABASE_URL.
 */
export async function createTestSchema(
  prefix = 't',
  options: { roles?: boolean } = {},
): Promise<{
  config: DatabaseConfig;
  drop: () => Promise<void>;
}> {
  const roles = options.roles ?? process.env.TEST_DATABASE_ROLES === 'split';
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    if (roles) await ensureDatabaseRoles(admin);
    await admin.query(
      `CREATE SCHEMA ${quoteIdent(schema)}${roles ? ` AUTHORIZATION ${quoteIdent(OWNER_ROLE)}` : ''}`,
    );
  } finally {
    await admin.end();
  }
  const config: DatabaseConfig = roles
    ? {
        url: testDatabaseUrlAs(SERVICE_ROLE),
        migrationUrl: testDatabaseUrlAs(OWNER_ROLE),
        schema,
      }
    : { url: TEST_DATABASE_URL, schema };
  return {
    config,
    drop: async () => {
      const pool: Pool = createPool({ url: TEST_DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await pool.end();
    },
  };
}
