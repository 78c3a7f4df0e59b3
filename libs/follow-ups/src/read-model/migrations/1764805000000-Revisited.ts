import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One rule for "revisited" (see libs/domain/src/revisit.ts): `outcome_episodes.revisited` and
 * `outcome_rollup.revisited` hold the episodes whose twelve-month revisit was completed (the
 * outcomes table's one-year-on n). A stored bare one-year-on assessment now completes the revisit
 * it belongs to, and `LeadWorkerChanged` now changes the family's key worker, so the families,
 * follow-ups and outcomes read models are emptied and rewound: they replay under the rule.
 * `families_by_key_worker` serves a key worker's caseload and working list.
 */
export class Revisited1764805000000 implements MigrationInterface {
  name = 'Revisited1764805000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'ALTER TABLE outcome_episodes ADD COLUMN revisited boolean NOT NULL DEFAULT false',
    );
    await db.query('ALTER TABLE outcome_rollup ADD COLUMN revisited bigint NOT NULL DEFAULT 0');
    await db.query('CREATE INDEX families_by_key_worker ON families (key_worker, family_id)');
    await db.query(
      `TRUNCATE families, follow_ups, follow_up_families,
                outcome_families, outcome_episodes, outcome_model, outcome_rollup`,
    );
    await db.query(
      `UPDATE projection_checkpoints SET position = 0
       WHERE name IN ('families', 'follow_ups', 'outcomes')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX families_by_key_worker');
    await db.query('ALTER TABLE outcome_rollup DROP COLUMN revisited');
    await db.query('ALTER TABLE outcome_episodes DROP COLUMN revisited');
  }
}
