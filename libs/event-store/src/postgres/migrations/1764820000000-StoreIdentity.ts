import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The store's identity (see postgres-event-store.ts, "Identity and epochs"): a random id written
 * with the schema, the current epoch, and the offset added to transaction ids so that positions
 * keep rising after a logical restore (a dump restored into a new cluster restarts transaction
 * ids). `event_store_epochs` remembers where each epoch began: every event of an earlier epoch is
 * at or below `after_position`.
 *
 * `event_store_restored` only raises the error the append statement uses when its position would
 * not be above every event it can see (a restore not yet noticed); the store then opens an epoch.
 */
export class StoreIdentity1764820000000 implements MigrationInterface {
  name = 'StoreIdentity1764820000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE event_store (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        store_id uuid NOT NULL,
        epoch integer NOT NULL,
        xid_offset bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE event_store_epochs (
        epoch integer PRIMARY KEY,
        after_position bigint NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `INSERT INTO event_store (store_id, epoch, xid_offset) VALUES (gen_random_uuid(), 1, 0)`,
    );
    await db.query(`INSERT INTO event_store_epochs (epoch, after_position) VALUES (1, 0)`);
    await db.query(`
      CREATE FUNCTION event_store_restored(head bigint) RETURNS bigint LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'event store: new positions would not be above % (restored?)', head
          USING ERRCODE = 'OL001';
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP FUNCTION event_store_restored(bigint)');
    await db.query('DROP TABLE event_store_epochs');
    await db.query('DROP TABLE event_store');
  }
}
