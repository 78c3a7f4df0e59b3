import { escapeIdentifier } from 'pg';

/** One statement at a time, on one connection (a TypeORM query runner or a pg client). */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Tables the service may only add to and read: the event log and the audit trail. Whoever holds
 * the service's credentials cannot rewrite what happened or who looked at it.
 */
export const APPEND_ONLY_TABLES = ['events', 'audit_log'] as const;

/** What the service may do to every other table: read and write rows, and empty a read model. */
const SERVICE_TABLE_RIGHTS = 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE';
const APPEND_ONLY_RIGHTS = 'SELECT, INSERT';
const SEQUENCE_RIGHTS = 'USAGE, SELECT';

/**
 * Run by the owner role before its migrations: every table and sequence the owner creates from now
 * on, in any schema (a migration another library adds, a rebuild's shadow tables swapped in later),
 * is the service's to use at once, with no grant for anyone to remember.
 */
export async function defaultServiceGrants(db: Queryable, serviceRole: string): Promise<void> {
  const role = escapeIdentifier(serviceRole);
  await db.query(`ALTER DEFAULT PRIVILEGES GRANT ${SERVICE_TABLE_RIGHTS} ON TABLES TO ${role}`);
  await db.query(`ALTER DEFAULT PRIVILEGES GRANT ${SEQUENCE_RIGHTS} ON SEQUENCES TO ${role}`);
}

/**
 * Run by the owner role after its migrations, in one transaction: the service may use the schema
 * and every table in it (tables created before the default grants existed included), except that
 * on the append-only tables it may only INSERT and SELECT. Owning nothing, it cannot ALTER, DROP,
 * disable a trigger or grant itself more; not being a superuser, it cannot set
 * session_replication_role. Idempotent: it runs on every start.
 */
export async function grantService(
  db: Queryable,
  schema: string,
  serviceRole: string,
): Promise<void> {
  const role = escapeIdentifier(serviceRole);
  const s = escapeIdentifier(schema);
  await db.query(`GRANT USAGE ON SCHEMA ${s} TO ${role}`);
  await db.query(`GRANT ${SERVICE_TABLE_RIGHTS} ON ALL TABLES IN SCHEMA ${s} TO ${role}`);
  await db.query(`GRANT ${SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`);
  const present = (await db.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`,
    [schema, APPEND_ONLY_TABLES],
  )) as { relname: string }[];
  for (const { relname } of present) {
    const table = `${s}.${escapeIdentifier(relname)}`;
    await db.query(`REVOKE ALL ON ${table} FROM ${role}`);
    await db.query(`GRANT ${APPEND_ONLY_RIGHTS} ON ${table} TO ${role}`);
  }
}
