import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReadModels1763800000000 implements MigrationInterface {
  name = 'ReadModels1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0
      )`);
    await db.query(`
      CREATE TABLE families (
        family_id uuid PRIMARY KEY,
        authority text NOT NULL,
        programme text NOT NULL,
        status text NOT NULL,
        episode integer NOT NULL,
        key_worker text,
        referred_at timestamptz NOT NULL,
        offered_at timestamptz,
        accepted_at timestamptz,
        support_plan_agreed_at timestamptz,
        refused_at timestamptz,
        refusal_stage text,
        exited_at timestamptz,
        exit_type text,
        follow_up text NOT NULL,
        moved_to text,
        revision bigint NOT NULL,
        position bigint NOT NULL,
        state jsonb NOT NULL
      )`);
    await db.query(
      'CREATE INDEX families_listing ON families (authority, programme, status, referred_at, family_id)',
    );
    await db.query('CREATE INDEX families_by_referral ON families (referred_at, family_id)');
    await db.query(`
      CREATE TABLE family_timeline (
        position bigint PRIMARY KEY,
        event_id uuid NOT NULL,
        family_id uuid NOT NULL,
        revision bigint NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        data jsonb NOT NULL
      )`);
    await db.query(
      'CREATE INDEX family_timeline_order ON family_timeline (family_id, occurred_at, position)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE family_timeline');
    await db.query('DROP TABLE families');
    await db.query('DROP TABLE projection_checkpoints');
  }
}
