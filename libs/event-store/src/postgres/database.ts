import { Pool } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';

/** Where the PostgreSQL data lives: a connection URL and, optionally, a schema (tests use one each). */
export interface DatabaseConfig {
  url: string;
  schema?: string;
  /** Pool size; defaults to 10. */
  max?: number;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const searchPath = (schema?: string) =>
  schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {};

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}

/** A database that does not answer a connection attempt in this time counts as down (no hang). */
const CONNECT_TIMEOUT_MS = 5_000;

export function createPool(config: DatabaseConfig): Pool {
  return new Pool({
    connectionString: config.url,
    max: config.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...searchPath(config.schema),
  });
}

/** A TypeORM data source for read models and migrations (the event store itself uses `pg` directly). */
export function createDataSource(
  config: DatabaseConfig,
  migrations: (new () => MigrationInterface)[],
): DataSource {
  return new DataSource({
    type: 'postgres',
    url: config.url,
    schema: config.schema,
    extra: {
      max: config.max ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...searchPath(config.schema),
    },
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    logging: false,
  });
}

// Any fixed key will do; it only has to be the same for every process running migrations.
const MIGRATION_LOCK = 727_001;

/** Runs pending migrations, one process at a time (API and worker both migrate on start). */
export async function migrate(dataSource: DataSource): Promise<void> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const { schema } = dataSource.options as { schema?: string };
  const runner = dataSource.createQueryRunner();
  try {
    if (schema) await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
