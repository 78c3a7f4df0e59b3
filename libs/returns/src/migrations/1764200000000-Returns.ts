import { MigrationInterface, QueryRunner } from 'typeorm';

export class Returns1764200000000 implements MigrationInterface {
  name = 'Returns1764200000000';

  async up(db: QueryRunner): Promise<void> {
    // A request is stored before it is queued: the queue may lose it, this table may not.
    await db.query(`
      CREATE TABLE returns (
        return_id uuid PRIMARY KEY,
        authority text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        spec text NOT NULL,
        position bigint NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        progress integer NOT NULL DEFAULT 0,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        built_at timestamptz,
        content text,
        sha256 text,
        provenance jsonb,
        error text
      )`);
    await db.query(
      `CREATE INDEX returns_unfinished ON returns (requested_at) WHERE status IN ('pending', 'building')`,
    );
    await db.query('CREATE INDEX returns_by_authority ON returns (authority, requested_at)');
    // Returns find an authority's families by their referrals as at a position.
    await db.query(`
      CREATE INDEX family_timeline_referrals ON family_timeline ((data->>'authority'), position)
      WHERE type = 'FamilyReferred'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX family_timeline_referrals');
    await db.query('DROP TABLE returns');
  }
}
