import { MigrationInterface, QueryRunner } from 'typeorm';

/** Keys for systems (`X-Api-Key`): only a SHA-256 of each key is kept (see @app/security). */
export class ApiKeys1764600000000 implements MigrationInterface {
  name = 'ApiKeys1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        role text NOT NULL,
        authority text,
        label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE api_keys`);
  }
}
