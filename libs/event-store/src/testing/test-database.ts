import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { DatabaseConfig, createPool, quoteIdent } from '../postgres/database';

/** The `test` database of the machine (see README); overridable for other set-ups. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh, uniquely named schema in the test database, so test files can run in parallel without
 * seeing each other's rows. `drop()` removes it.
 */
export async function createTestSchema(prefix = 't'): Promise<{
  config: DatabaseConfig;
  drop: () => Promise<void>;
}> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await admin.end();
  const config: DatabaseConfig = { url: TEST_DATABASE_URL, schema };
  return {
    config,
    drop: async () => {
      const pool: Pool = createPool({ url: TEST_DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await pool.end();
    },
  };
}
