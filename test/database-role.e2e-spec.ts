import { randomUUID } from 'node:crypto';
import { createDataSource, eventStoreMigrations, migrateFor } from '@app/event-store';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { returnsMigrations } from '@app/returns';
import { Client } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { as } from './support/auth';
import { Harness, snapshot, startHarness } from './support/harness';
import { referFamily, referralBody } from './support/stories';

/** A migration another library might add later, with no grant of its own. */
class LaterTable9999999999999 implements MigrationInterface {
  name = 'LaterTable9999999999999';
  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE later_things (id int PRIMARY KEY, note text)`);
  }
  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE later_things`);
  }
}

/**
 * Least privilege in the database: the service's role (what the API and worker connect as) can add
 * to the log and the audit trail and read them, and nothing else: every way the hostile review
 * rewrote history as the service's role is refused, and the service still does all its work.
 */
describe('the service database role (e2e)', () => {
  let h: Harness;
  let service: Client;
  const A = `role-a-${randomUUID().slice(0, 8)}`;
  const kw = as('keyworker', A);
  let familyId: string;

  beforeAll(async () => {
    h = await startHarness({ databaseRoles: true });
    // The whole path runs as the service role: a write, reads, an erasure, the audit trail.
    ({ familyId } = await referFamily(
      h,
      kw,
      referralBody(A, {
        members: [{ memberId: 'p1', role: 'parent', name: 'Role Test Person' }],
      }),
    ));
    expect((await h.http.get(`/v1/families/${familyId}/timeline`).set(kw)).status).toBe(200);
    const erased = await h.http.post(`/v1/families/${familyId}/erasure`).set(as('manager', A));
    expect(erased.status).toBeLessThan(300);
    expect((await h.http.get('/v1/audit').set(as('admin', null))).status).toBe(200);
    await h.caughtUp(await h.store.lastPosition());

    const { url, schema } = h.config.database;
    service = new Client({ connectionString: url, options: `-c search_path=${schema}` });
    await service.connect();
  });
  afterAll(async () => {
    await service?.end();
    await h?.close();
  });

  /** The Postgres error code `sql` fails with as the service role (inside a rolled-back transaction). */
  const refusal = async (...sql: string[]): Promise<string | undefined> => {
    await service.query('BEGIN');
    try {
      for (const statement of sql) await service.query(statement);
      return undefined;
    } catch (e) {
      return (e as { code?: string }).code;
    } finally {
      await service.query('ROLLBACK');
    }
  };

  it('is not a superuser and owns no table, sequence or function', async () => {
    const { rows } = await service.query(
      `SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole,
         (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relowner = r.oid)::int AS owned,
         (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proowner = r.oid)::int AS functions
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows).toEqual([
      { rolsuper: false, rolbypassrls: false, rolcreaterole: false, owned: 0, functions: 0 },
    ]);
  });

  it.each([
    [
      'audit_log',
      'SET LOCAL session_replication_role = replica',
      `UPDATE audit_log SET subject = 'x'`,
    ],
    [
      'audit_log',
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change',
      'DELETE FROM audit_log',
    ],
    ['audit_log', 'ALTER TABLE audit_log DISABLE TRIGGER ALL'],
    ['audit_log', 'DROP TRIGGER audit_log_no_change ON audit_log'],
    [
      'audit_log',
      `CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RETURN OLD; END $$`,
    ],
    ['audit_log', `UPDATE audit_log SET status = 200`],
    ['audit_log', 'DELETE FROM audit_log'],
    ['audit_log', 'TRUNCATE audit_log'],
    ['audit_log', 'DROP TABLE audit_log'],
    ['audit_log', 'ALTER TABLE audit_log RENAME TO audit_old'],
    ['events', 'SET LOCAL session_replication_role = replica', `UPDATE events SET data = '{}'`],
    ['events', `UPDATE events SET data = '{}'`],
    ['events', 'DELETE FROM events'],
    ['events', 'TRUNCATE events'],
    ['events', 'ALTER TABLE events ADD COLUMN note text'],
    ['events', 'DROP TABLE events CASCADE'],
    [
      'events',
      `CREATE FUNCTION pg_temp.scrub() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
      'CREATE TRIGGER scrub BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION pg_temp.scrub()',
    ],
    // Not an error (a warning, "no privileges were granted"), so the UPDATE after it must fail.
    ['events', 'GRANT UPDATE ON events TO PUBLIC', `UPDATE events SET data = '{}'`],
    ['events', 'SET ROLE outcomes_owner'],
  ])('refuses tampering with %s: %s', async (_table, ...sql) => {
    const before = await snapshot(h.db);
    const audit = await h.db.query(`SELECT * FROM audit_log ORDER BY id`);
    // 42501 insufficient_privilege: "permission denied", "must be owner", "permission denied to set parameter".
    expect(await refusal(...sql)).toBe('42501');
    expect(await snapshot(h.db)).toBe(before);
    expect(await h.db.query(`SELECT * FROM audit_log ORDER BY id`)).toEqual(audit);
  });

  it('may add to and read the log and the audit trail', async () => {
    expect(await refusal('SELECT count(*) FROM events', 'SELECT count(*) FROM audit_log')).toBe(
      undefined,
    );
    expect(
      await refusal(
        `INSERT INTO audit_log (subject, role, via, method, route, status, correlation_id)
         VALUES ('s', 'admin', 'token', 'GET', '/x', 200, 'c')`,
      ),
    ).toBe(undefined);
  });

  it("gets a later migration's tables, and tables swapped in by the owner, without a grant of their own", async () => {
    const config = h.config.database;
    const all = [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
      ...returnsMigrations,
      LaterTable9999999999999,
    ];
    const again = createDataSource({ ...config, max: 2 }, all);
    try {
      await migrateFor(again, config, all);
    } finally {
      await again.destroy();
    }
    expect(
      await refusal(
        `INSERT INTO later_things VALUES (1, 'a')`,
        'UPDATE later_things SET note = null',
      ),
    ).toBe(undefined);
    // What `outcomes rebuild` does as the owner: build in a shadow schema, then move in.
    const owner = new Client({ connectionString: config.migrationUrl });
    await owner.connect();
    const shadow = `${config.schema}_shadow`;
    try {
      await owner.query(`CREATE SCHEMA ${shadow}`);
      await owner.query(`CREATE TABLE ${shadow}.swapped (id int)`);
      await owner.query(`ALTER TABLE ${shadow}.swapped SET SCHEMA ${config.schema}`);
    } finally {
      await owner.query(`DROP SCHEMA IF EXISTS ${shadow}`);
      await owner.end();
    }
    expect(await refusal('INSERT INTO swapped VALUES (1)', 'DELETE FROM swapped')).toBe(undefined);
    expect(await refusal('DROP TABLE swapped')).toBe('42501');
  });
});
