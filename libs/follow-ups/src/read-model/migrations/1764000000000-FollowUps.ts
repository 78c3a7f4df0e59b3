import { MigrationInterface, QueryRunner } from 'typeorm';

/** The follow-up working list: one row per exited family episode (see read-model/projection.ts). */
export class FollowUps1764000000000 implements MigrationInterface {
  name = 'FollowUps1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE follow_up_families (
        family_id uuid PRIMARY KEY,
        authority text NOT NULL,
        programme text NOT NULL,
        episode integer NOT NULL
      )`);
    await db.query(`
      CREATE TABLE follow_ups (
        follow_up_id uuid PRIMARY KEY,
        family_id uuid NOT NULL,
        episode integer NOT NULL,
        authority text NOT NULL,
        programme text NOT NULL,
        exit_type text NOT NULL,
        exited_at timestamptz NOT NULL,
        status text NOT NULL,
        policy_version integer,
        due_at timestamptz,
        window_opens_at timestamptz,
        window_closes_at timestamptz,
        overdue_at timestamptz,
        due_recorded_at timestamptz,
        assigned_worker text,
        completed_at timestamptz,
        completed_on_time boolean,
        completion_assessment jsonb,
        missed_at timestamptz,
        missed_reason text,
        cancelled_at timestamptz,
        cancelled_reason text,
        re_referred_at timestamptz,
        position bigint NOT NULL,
        UNIQUE (family_id, episode)
      )`);
    await db.query('CREATE INDEX follow_ups_by_due ON follow_ups (status, due_at, follow_up_id)');
    await db.query(
      'CREATE INDEX follow_ups_by_authority ON follow_ups (authority, status, due_at, follow_up_id)',
    );
    // What the scheduler looks for on every sweep: exits not yet scheduled, revisits to cancel.
    await db.query(
      `CREATE INDEX follow_ups_unscheduled ON follow_ups (follow_up_id) WHERE status = 'unscheduled'`,
    );
    await db.query(
      `CREATE INDEX follow_ups_re_referred ON follow_ups (follow_up_id)
       WHERE status IN ('scheduled', 'due') AND re_referred_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE follow_ups');
    await db.query('DROP TABLE follow_up_families');
  }
}
