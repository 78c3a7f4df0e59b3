import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Code lists (issue 15 item 6): events stored before the lists may hold a code in another case
 * (`"FIP"`, `"Police"`); the projections now upcast them on read (`upcastFamilyEvent`). Rows the
 * families and follow-ups projections wrote before hold the values as they were stored, so both
 * are emptied and rewound and replay under the lists (the outcomes model is replayed by
 * `OutcomeCohortsStarted1765000000000`). Nothing is lost: both tables are folds of the events.
 */
export class CodeListsReplay1765000000002 implements MigrationInterface {
  name = 'CodeListsReplay1765000000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query('TRUNCATE families, follow_ups, follow_up_families');
    await db.query(
      `UPDATE projection_checkpoints SET position = 0 WHERE name IN ('families', 'follow_ups')`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: the tables refill from the events.
  }
}
