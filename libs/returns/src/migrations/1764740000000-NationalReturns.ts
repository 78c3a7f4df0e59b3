import { MigrationInterface, QueryRunner } from 'typeorm';

/** A national return (every authority) is stored with no authority. */
export class NationalReturns1764740000000 implements MigrationInterface {
  name = 'NationalReturns1764740000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE returns ALTER COLUMN authority DROP NOT NULL');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DELETE FROM returns WHERE authority IS NULL');
    await db.query('ALTER TABLE returns ALTER COLUMN authority SET NOT NULL');
  }
}
