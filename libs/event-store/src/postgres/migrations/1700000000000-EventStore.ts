import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log. Names are unqualified: the connection's search_path picks the schema, so tests
 * can give every file its own.
 *
 * `position` is not a sequence: it is derived from the writing transaction's id (see
 * postgres-event-store.ts), which is what makes the global order gap-safe.
 */
export class EventStore1700000000000 implements MigrationInterface {
  name = 'EventStore1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE events (
        position bigint PRIMARY KEY,
        event_id uuid NOT NULL CONSTRAINT events_event_id_key UNIQUE,
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        transaction_id xid8 NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE events');
    await queryRunner.query('DROP TABLE streams');
  }
}
