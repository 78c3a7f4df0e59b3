import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One data key per family, wrapped with the master key. Not a read model: it is never rebuilt
 * from the log, and deleting a row (erasure) is final by design.
 */
export class FamilyKeys1764650000000 implements MigrationInterface {
  name = 'FamilyKeys1764650000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE family_keys (
        family_id uuid PRIMARY KEY,
        key_id uuid NOT NULL,
        wrapped_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE family_keys');
  }
}
