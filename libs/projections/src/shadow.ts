/*
 * A rebuild's shadow tables: made like the live ones, their other indexes built after the replay,
 * and swapped in, in one transaction, once they have caught up.
 */
import { EventStore, Position, StoreIdentity } from '@app/event-store';
import { DataSource, QueryRunner } from 'typeorm';
import { epochOf } from './checkpoint-identity';
import { Projection } from './projection';
import { q } from './replay';

const DEADLOCK = '40P01';

/** Shadow tables like the live ones: columns, defaults, checks, and the unique indexes. */
export async function createShadowTables(
  db: DataSource,
  live: string,
  shadow: string,
  tables: string[],
): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${q(shadow)} CASCADE`);
  await db.query(`CREATE SCHEMA ${q(shadow)}`);
  for (const table of tables) {
    await db.query(
      `CREATE TABLE ${q(shadow)}.${q(table)} (LIKE ${q(live)}.${q(table)}
         INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY
         INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS)`,
    );
    // Constraints by name (primary keys, unique), so the swapped-in table has the same ones.
    const constraints = (await db.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
      [`${q(live)}.${q(table)}`],
    )) as { conname: string; def: string }[];
    for (const c of constraints) {
      await db.query(
        `ALTER TABLE ${q(shadow)}.${q(table)} ADD CONSTRAINT ${q(c.conname)} ${c.def}`,
      );
    }
    for (const index of await indexesOf(db, live, table, true)) {
      await db.query(onShadow(index.def, shadow, table));
    }
  }
}

/** The non-unique indexes, built once the replay has filled the tables (faster than row by row). */
export async function createShadowIndexes(
  db: DataSource,
  live: string,
  shadow: string,
  tables: string[],
): Promise<void> {
  for (const table of tables) {
    for (const index of await indexesOf(db, live, table, false)) {
      await db.query(onShadow(index.def, shadow, table));
    }
  }
}

/** Indexes that no constraint owns (those are recreated with their constraint). */
async function indexesOf(
  db: DataSource,
  live: string,
  table: string,
  unique: boolean,
): Promise<{ name: string; def: string }[]> {
  return (await db.query(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass AND i.indisunique = $2
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`,
    [`${q(live)}.${q(table)}`, unique],
  )) as { name: string; def: string }[];
}

/** `CREATE INDEX name ON <live table> USING …` → the same index (same name) on the shadow table. */
function onShadow(def: string, shadow: string, table: string): string {
  const match = /^(CREATE (?:UNIQUE )?INDEX \S+ ON )(?:ONLY )?\S+( USING .*)$/s.exec(def);
  if (!match) throw new Error(`cannot recreate index: ${def}`);
  return `${match[1]}${q(shadow)}.${q(table)}${match[2]}`;
}

/**
 * The swap, in one transaction that also applies the last events appended since the catch-up.
 * Its checkpoint-row locks keep live batches out; a reader waits at most for the swap itself.
 * Retried on a deadlock (a reader holding one table while the swap holds another).
 */
export async function swapIn(
  db: DataSource,
  store: EventStore,
  projections: Projection[],
  target: { live: string; shadow: string; position: Position; prefixes?: string[] },
): Promise<{ position: Position; events: number }> {
  const at = { ...target, identity: await store.identity() };
  const names = projections.map((p) => p.name).sort();
  await db.query(
    `INSERT INTO projection_checkpoints (name, position)
     SELECT unnest($1::text[]), 0 ON CONFLICT (name) DO NOTHING`,
    [names],
  );
  for (let attempt = 1; ; attempt++) {
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await swapOnce(runner, store, projections, names, at);
      await runner.commitTransaction();
      return result;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if ((e as { code?: string }).code === DEADLOCK && attempt < 5) continue;
      throw e;
    } finally {
      await runner.release();
    }
  }
}

async function swapOnce(
  runner: QueryRunner,
  store: EventStore,
  projections: Projection[],
  names: string[],
  at: {
    live: string;
    shadow: string;
    position: Position;
    prefixes?: string[];
    identity: StoreIdentity;
  },
): Promise<{ position: Position; events: number }> {
  await runner.query(
    'SELECT name FROM projection_checkpoints WHERE name = ANY($1) ORDER BY name FOR UPDATE',
    [names],
  );
  // No live batch can commit now. Holding an xid, this transaction also holds back the store's
  // visibility horizon, so the tail read below ends; anything later is the live runner's, from
  // the checkpoint set here.
  let position = at.position;
  let events = 0;
  await runner.query(`SET LOCAL search_path TO ${q(at.shadow)}`);
  for (;;) {
    const batch = await store.readAll(position, { streamPrefixes: at.prefixes, limit: 5000 });
    if (!batch.length) break;
    for (const p of projections) await p.apply(batch, runner.manager);
    position = batch[batch.length - 1].position;
    events += batch.length;
  }
  await runner.query(`SET LOCAL search_path TO ${q(at.live)}`);
  const tables = projections.flatMap((p) => [...p.tables]);
  await runner.query(`LOCK TABLE ${tables.map((t) => `${q(at.live)}.${q(t)}`).join(', ')}`);
  for (const table of tables) {
    await runner.query(`DROP TABLE ${q(at.live)}.${q(table)}`);
    await runner.query(`ALTER TABLE ${q(at.shadow)}.${q(table)} SET SCHEMA ${q(at.live)}`);
  }
  // The rebuilt read models are this store's: the checkpoints say so.
  await runner.query(
    'UPDATE projection_checkpoints SET position = $2, store_id = $3, epoch = $4 WHERE name = ANY($1)',
    [names, position.toString(), at.identity.id, epochOf(position, at.identity)],
  );
  return { position, events };
}
