import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outcome_rollup.counts` holds each domain's counts in the order of `countSpecs` (`counts.ts`).
 * Issue 15 added four counts per domain (the paired table's `both`, and the one-year-on panel's
 * baseline, end point and present at baseline and one year on), so an array written before reads at the wrong offsets: the rollup is
 * emptied and the outcomes model replayed from position 0 (as `OutcomeConsent1764913500000` does),
 * which refills the rollup in the new order. Until the replay has passed a family, `rollupCounts`
 * finds no row of the old length (and, should it meet one, answers from the episode rows instead).
 */
export class OutcomeCountLayout1765000000001 implements MigrationInterface {
  name = 'OutcomeCountLayout1765000000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query('TRUNCATE outcome_families, outcome_episodes, outcome_model, outcome_rollup');
    await db.query(`UPDATE projection_checkpoints SET position = 0 WHERE name = 'outcomes'`);
  }

  async down(db: QueryRunner): Promise<void> {
    // The older code reads nine counts per domain: replay again under it.
    await this.up(db);
  }
}
