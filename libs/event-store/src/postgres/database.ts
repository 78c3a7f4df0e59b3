import { Pool } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';
import { defaultServiceGrants, grantService } from './privileges';

/** Where the PostgreSQL data lives: a connection URL and, optionally, a schema (tests use one each). */
export interface DatabaseConfig {
  /** The service's connection: its role owns no table (see docs/operating.md, Least privilege in the database). */
  url: string;
  /**
   * The owner's connection, used only to migrate (and by `outcomes rebuild`), then closed. Unset:
   * the service's own role migrates, as on a development machine with one role.
   */
  migrationUrl?: string;
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

/**
 * Runs pending migrations, one process at a time (API and worker both migrate on start). With a
 * `serviceRole` (another role than the one migrating), that role is granted what the service needs
 * on every table, now and for tables created later (see privileges.ts).
 */
export async function migrate(
  dataSource: DataSource,
  options: { serviceRole?: string } = {},
): Promise<void> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const { schema } = dataSource.options as { schema?: string };
  const runner = dataSource.createQueryRunner();
  try {
    const [{ role, present }] = (await runner.query(
      `SELECT current_user AS role, EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS present`,
      [schema ?? ''],
    )) as { role: string; present: boolean }[];
    // Only when missing: a role that may not create schemas can still check for migrations.
    if (schema && !present) await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const service = options.serviceRole !== role ? options.serviceRole : undefined;
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      if (service) await defaultServiceGrants(runner, service);
      await dataSource.runMigrations({ transaction: 'each' });
      if (service) {
        await runner.startTransaction();
        try {
          const [{ current }] = (await runner.query(`SELECT current_schema() AS current`)) as {
            current: string;
          }[];
          await grantService(runner, schema ?? current, service);
          await runner.commitTransaction();
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        }
      }
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Migrates `migrations` for the service whose data source is given: as the owner when the config
 * has a migration URL (granting the service's role, read from its own connection), else as the
 * service's role itself.
 */
export async function migrateFor(
  service: DataSource,
  config: DatabaseConfig,
  migrations: (new () => MigrationInterface)[],
): Promise<void> {
  if (!config.migrationUrl || config.migrationUrl === config.url) return migrate(service);
  if (!service.isInitialized) await service.initialize();
  const [{ role }] = (await service.query(`SELECT current_user AS role`)) as { role: string }[];
  // Two connections: the lock holder, and the one TypeORM runs the migrations on.
  const owner = createDataSource({ ...config, url: config.migrationUrl, max: 2 }, migrations);
  try {
    await migrate(owner, { serviceRole: role });
  } finally {
    if (owner.isInitialized) await owner.destroy();
  }
}
