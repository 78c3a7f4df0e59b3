import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each authority spent on a programme in a financial year (`year` N = April N to March N+1),
 * entered by its data manager: the denominator of cost avoidance's return on spend. Not a
 * projection (there is no event for it): a rebuild leaves it alone.
 */
export class ProgrammeCosts1764150000000 implements MigrationInterface {
  name = 'ProgrammeCosts1764150000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE programme_costs (
        authority text NOT NULL,
        programme text NOT NULL,
        year integer NOT NULL,
        cost_pence bigint NOT NULL CHECK (cost_pence >= 0),
        note text,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (authority, programme, year)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE programme_costs');
  }
}
