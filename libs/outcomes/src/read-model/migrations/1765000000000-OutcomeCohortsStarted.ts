import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every outcomes cohort is of families who started (`cohort.ts`): `all_exits` no longer holds an
 * episode closed before an intervention was accepted. `outcome_rollup` holds each cohort's counts
 * as the old membership made them, so the outcomes model is emptied and replayed from position 0
 * (as `OutcomeConsent1764913500000` does); the replay fills the rollup by the new rule.
 */
export class OutcomeCohortsStarted1765000000000 implements MigrationInterface {
  name = 'OutcomeCohortsStarted1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('TRUNCATE outcome_families, outcome_episodes, outcome_model, outcome_rollup');
    await db.query(`UPDATE projection_checkpoints SET position = 0 WHERE name = 'outcomes'`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the replay by the older rule fills the same tables.
  }
}
