import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The follow-up list reads `status <> 'unscheduled'` in (due_at, follow_up_id) order, a page at a
 * time. With status leading the existing indexes that order cannot come from them, so a national
 * list sorted every scheduled revisit of the date range to return 50 (bench:query). These partial
 * indexes give the order directly, nationally and per authority.
 */
export class FollowUpListIndexes1764720000000 implements MigrationInterface {
  name = 'FollowUpListIndexes1764720000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX follow_ups_list ON follow_ups (due_at, follow_up_id)
       WHERE status <> 'unscheduled'`,
    );
    await db.query(
      `CREATE INDEX follow_ups_list_by_authority ON follow_ups (authority, due_at, follow_up_id)
       WHERE status <> 'unscheduled'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX follow_ups_list_by_authority');
    await db.query('DROP INDEX follow_ups_list');
  }
}
