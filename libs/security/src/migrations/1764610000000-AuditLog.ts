import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_log`: who read or wrote what, append-only. A trigger refuses UPDATE, DELETE and
 * TRUNCATE, so not even the application's own database role can rewrite the trail.
 */
export class AuditLog1764610000000 implements MigrationInterface {
  name = 'AuditLog1764610000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        subject text NOT NULL,
        role text NOT NULL,
        authority text,
        via text NOT NULL,
        method text NOT NULL,
        route text NOT NULL,
        family_ids uuid[] NOT NULL DEFAULT '{}',
        target_ids text[] NOT NULL DEFAULT '{}',
        status integer NOT NULL,
        correlation_id text NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_log_subject ON audit_log (subject, id)`);
    await db.query(`CREATE INDEX audit_log_family_ids ON audit_log USING gin (family_ids)`);
    await db.query(`CREATE INDEX audit_log_at ON audit_log (at)`);
    await db.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await db.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP FUNCTION audit_log_append_only()`);
  }
}
