import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outcome_families.position`: the position of the last event applied to the family. A family
 * whose last event is at or before a position P has, in this read model, exactly its state at P,
 * so a return as at P reads such families' episodes from the table and folds only the others
 * from the timeline. NULL (rows from before this column) counts as not settled: folded.
 */
export class OutcomeFamilyPositions1764730000000 implements MigrationInterface {
  name = 'OutcomeFamilyPositions1764730000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE outcome_families ADD COLUMN position bigint');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE outcome_families DROP COLUMN position');
  }
}
