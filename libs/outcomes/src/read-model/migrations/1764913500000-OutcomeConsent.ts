import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outcome_episodes.evaluation_withdrawn_at`: when the family withdrew consent to evaluation, if
 * that withdrawal stands (`cohort.ts`'s consent rule leaves such episodes out of every cohort).
 * Rows projected before it would read NULL whatever the family's consent, so the outcomes model
 * is emptied and replayed from position 0 (as `Revisited1764805000000` does). The partial index
 * serves the count of excluded episodes, which are few.
 */
export class OutcomeConsent1764913500000 implements MigrationInterface {
  name = 'OutcomeConsent1764913500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE outcome_episodes ADD COLUMN evaluation_withdrawn_at timestamptz');
    await db.query(
      `CREATE INDEX outcome_episodes_consent_withdrawn ON outcome_episodes (authority)
       WHERE evaluation_withdrawn_at IS NOT NULL`,
    );
    await db.query('TRUNCATE outcome_families, outcome_episodes, outcome_model, outcome_rollup');
    await db.query(`UPDATE projection_checkpoints SET position = 0 WHERE name = 'outcomes'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX outcome_episodes_consent_withdrawn');
    await db.query('ALTER TABLE outcome_episodes DROP COLUMN evaluation_withdrawn_at');
  }
}
