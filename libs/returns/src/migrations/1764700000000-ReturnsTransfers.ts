import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReturnsTransfers1764700000000 implements MigrationInterface {
  name = 'ReturnsTransfers1764700000000';

  async up(db: QueryRunner): Promise<void> {
    // A family transferred to an authority belongs in its returns from then on.
    await db.query(`
      CREATE INDEX family_timeline_transfers ON family_timeline ((data->>'toAuthority'), position)
      WHERE type = 'FamilyTransferred'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX family_timeline_transfers');
  }
}
