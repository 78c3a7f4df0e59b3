import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which store (and epoch of it) each checkpoint's position belongs to. Null on checkpoints taken
 * before this migration: the runner adopts them for the store it finds, after checking they are
 * not ahead of it.
 */
export class CheckpointStore1764820000001 implements MigrationInterface {
  name = 'CheckpointStore1764820000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'ALTER TABLE projection_checkpoints ADD COLUMN store_id text, ADD COLUMN epoch integer',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE projection_checkpoints DROP COLUMN store_id, DROP COLUMN epoch');
  }
}
