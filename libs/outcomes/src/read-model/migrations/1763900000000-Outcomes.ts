import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outcomes read model: one row per family episode with its cohort facts and the state of every
 * outcome domain at baseline, exit, latest and follow-up, as bit masks (bit i = domain i of the
 * definition set recorded in `outcome_model`), so a national before/after table is one pass of
 * integer arithmetic. `outcome_families` keeps what the fold needs per family.
 */
export class Outcomes1763900000000 implements MigrationInterface {
  name = 'Outcomes1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outcome_families (
        family_id uuid PRIMARY KEY,
        state jsonb NOT NULL
      )`);
    await db.query(`
      CREATE TABLE outcome_episodes (
        family_id uuid NOT NULL,
        episode integer NOT NULL,
        authority text NOT NULL,
        programme text NOT NULL,
        status text NOT NULL,
        referred_at timestamptz NOT NULL,
        offered_at timestamptz,
        accepted_at timestamptz,
        support_plan_agreed_at timestamptz,
        refused_at timestamptz,
        refusal_stage text,
        exited_at timestamptz,
        exit_type text,
        moved_area boolean NOT NULL,
        baseline_assessed bigint NOT NULL,
        baseline_present bigint NOT NULL,
        exit_assessed bigint NOT NULL,
        exit_present bigint NOT NULL,
        latest_assessed bigint NOT NULL,
        latest_present bigint NOT NULL,
        follow_up_assessed bigint NOT NULL,
        follow_up_present bigint NOT NULL,
        early_weekly_hours double precision,
        late_weekly_hours double precision,
        support_types text[] NOT NULL,
        PRIMARY KEY (family_id, episode)
      )`);
    await db.query(
      'CREATE INDEX outcome_episodes_referred ON outcome_episodes (authority, programme, referred_at)',
    );
    await db.query(
      'CREATE INDEX outcome_episodes_exited ON outcome_episodes (authority, exited_at) WHERE exited_at IS NOT NULL',
    );
    await db.query(`
      CREATE TABLE outcome_model (
        name text PRIMARY KEY,
        fingerprint text NOT NULL,
        domains jsonb NOT NULL,
        max_recorded_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outcome_model');
    await db.query('DROP TABLE outcome_episodes');
    await db.query('DROP TABLE outcome_families');
  }
}
