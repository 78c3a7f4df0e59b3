import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outcome_rollup`: the outcomes table's counts per authority, programme, cohort and month (of
 * referral, and of exit), kept by the outcomes projection in the same transaction as the episodes,
 * so a question reads a few rows instead of every episode: authority '' holds the national totals
 * (a national year is a dozen rows). `counts` holds the
 * nine counts per domain in the order of the definition set in `outcome_model`.
 *
 * The outcomes projection is rewound so that it replays and fills the rollup beside the episodes.
 */
export class OutcomeRollup1764710000000 implements MigrationInterface {
  name = 'OutcomeRollup1764710000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outcome_rollup (
        authority text NOT NULL,
        programme text NOT NULL,
        cohort text NOT NULL,
        dim text NOT NULL,
        month date NOT NULL,
        families bigint NOT NULL,
        counts bigint[] NOT NULL,
        PRIMARY KEY (cohort, dim, authority, programme, month)
      )`);
    // The projection removes buckets that fell to nothing after every batch.
    await db.query(
      'CREATE INDEX outcome_rollup_empty ON outcome_rollup (cohort) WHERE families = 0',
    );
    await db.query('TRUNCATE outcome_families, outcome_episodes, outcome_model');
    await db.query(`UPDATE projection_checkpoints SET position = 0 WHERE name = 'outcomes'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outcome_rollup');
  }
}
