import { randomInt } from 'node:crypto';
import { Pool, QueryResult } from 'pg';
import { AppendResult, RecordedEvent, START } from '../event-store';
import {
  describeEventStoreContract,
  eventually,
  rejection,
  testEvent,
  testStreamBase,
} from '../testing/event-store-contract';
import { createTestSchema } from '../testing/test-database';
import { DatabaseConfig, createDataSource, createPool, migrate } from './database';
import { eventStoreMigrations } from './index';
import { PostgresEventStore } from './postgres-event-store';

/** A migrated schema of its own, and a pool on it. */
async function database(): Promise<{
  config: DatabaseConfig;
  pool: Pool;
  drop: () => Promise<void>;
}> {
  const schema = await createTestSchema('es');
  const config = { ...schema.config, max: 20 };
  const dataSource = createDataSource(config, eventStoreMigrations);
  await migrate(dataSource);
  await dataSource.destroy();
  const pool = createPool(config);
  return {
    config,
    pool,
    drop: async () => {
      await pool.end();
      await schema.drop();
    },
  };
}

/** Counts rows returned by the pool's SELECTs: the store's reads all go through `pool.query`. */
function rowsFetched(pool: Pool): () => Promise<number> {
  const spy = jest.spyOn(pool, 'query');
  return async () => {
    const settled = await Promise.allSettled(spy.mock.results.map((r) => r.value as unknown));
    return settled.reduce((n, s) => {
      const result = s.status === 'fulfilled' ? (s.value as QueryResult | undefined) : undefined;
      return n + (result?.command === 'SELECT' ? (result.rowCount ?? 0) : 0);
    }, 0);
  };
}

describeEventStoreContract('PostgreSQL', async () => {
  const db = await database();
  const store = new PostgresEventStore(db.pool, { pollIntervalMs: 20 });
  // The fast-path contract's target: the store's own schema, the log beside it.
  const client = await db.pool.connect();
  return {
    store,
    eventsFetched: rowsFetched(db.pool),
    sql: { db: { query: async (q, p) => (await client.query(q, p)).rows }, holdsLog: true },
    teardown: async () => {
      client.release();
      await store.close();
      await db.drop();
    },
  };
});

describe('PostgresEventStore', () => {
  let db: Awaited<ReturnType<typeof database>>;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await database();
    store = new PostgresEventStore(db.pool, { pollIntervalMs: 20 });
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** Collects a live subscription in the background until `stop()`. */
  function collect(base: string) {
    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    const done = (async () => {
      const subscription = store.subscribeAll(START, {
        streamPrefixes: [base],
        signal: controller.signal,
      });
      for await (const event of subscription) seen.push(event);
    })();
    return {
      seen,
      stop: async () => {
        controller.abort();
        await done;
      },
    };
  }

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('does not deliver an event that committed after an earlier-positioned one is still open', async () => {
    const base = testStreamBase();
    const slowStream = `${base}-slow`;
    const fastStream = `${base}-fast`;
    const lockKey = randomInt(1, 2 ** 31 - 1);
    const subscriber = collect(base);

    // Make the store's own append to the slow stream stop after inserting its event (so it holds
    // its xid, hence its position) until this test lets go of an advisory lock.
    const holder = new Pool({ connectionString: db.config.url, max: 1 });
    const lock = await holder.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [lockKey]);
    await db.pool.query(`
      CREATE FUNCTION hold_append() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(${lockKey}); RETURN NEW; END $$;
      CREATE TRIGGER hold_append AFTER INSERT ON events FOR EACH ROW
        WHEN (NEW.stream_id = '${slowStream}') EXECUTE FUNCTION hold_append();`);
    let slow: Promise<AppendResult> | undefined;
    try {
      const slowEvent = testEvent('Slow');
      slow = store.append(slowStream, [slowEvent], { expectedRevision: 'no_stream' });
      await eventually(
        async () =>
          (
            await db.pool.query(
              `SELECT count(*)::int AS n FROM pg_locks
               WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
              [lockKey],
            )
          ).rows[0].n,
        (n) => n === 1,
        'the slow append to block',
      );

      const fastEvent = testEvent('Fast');
      const fast = await store.append(fastStream, [fastEvent], { expectedRevision: 'no_stream' });

      // The later event is committed: it is in its stream, and a reader that trusted committed
      // positions would checkpoint it and so skip the slow event for good.
      expect(await store.readStream(fastStream)).toHaveLength(1);
      const { rows } = await db.pool.query('SELECT max(position)::text AS max FROM events');
      expect(BigInt(rows[0].max)).toBe(fast.position);

      // Readers do not see it yet.
      await pause(200);
      expect(subscriber.seen).toEqual([]);
      expect(await store.readAll(START, { streamPrefixes: [base] })).toEqual([]);
      expect(await store.headPosition()).toBeLessThan(fast.position);
      // What was written is not: waiting for the last position waits for the slow one too.
      expect(await store.lastPosition()).toBe(fast.position);

      await lock.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      const slowResult = await slow;
      expect(slowResult.position).toBeLessThan(fast.position);

      await eventually(
        async () => subscriber.seen.length,
        (n) => n >= 2,
        'both events',
      );
      await pause(100);
      await subscriber.stop();
      expect(subscriber.seen.map((e) => e.id)).toEqual([slowEvent.id, fastEvent.id]);
      expect(subscriber.seen.map((e) => e.position)).toEqual([slowResult.position, fast.position]);
      expect(await store.readAll(START, { streamPrefixes: [base] })).toEqual(subscriber.seen);
    } finally {
      // Let a blocked append finish before dropping the trigger (which would wait for it).
      lock.release(true);
      await holder.end();
      await slow?.catch(() => undefined);
      await subscriber.stop();
      await db.pool.query(
        'DROP TRIGGER IF EXISTS hold_append ON events; DROP FUNCTION IF EXISTS hold_append()',
      );
    }
  });

  it('holds readers back while an older transaction is open by hand, and resumes when it ends', async () => {
    const base = testStreamBase();
    const subscriber = collect(base);
    const hand = await db.pool.connect();
    try {
      await hand.query('BEGIN');
      // Takes an xid; as a writer this transaction could now append below anything later.
      await hand.query('SELECT pg_current_xact_id()');
      const event = testEvent();
      const result = await store.append(`${base}-a`, [event], { expectedRevision: 'no_stream' });
      await pause(150);
      expect(subscriber.seen).toEqual([]);
      expect(await store.readAll(START, { streamPrefixes: [base] })).toEqual([]);

      await hand.query('ROLLBACK');
      await eventually(
        async () => subscriber.seen.length,
        (n) => n >= 1,
        'the event',
      );
      expect(subscriber.seen.map((e) => e.position)).toEqual([result.position]);
    } finally {
      hand.release(true);
      await subscriber.stop();
    }
  });

  it('derives positions from the transaction id, one append per transaction', async () => {
    const stream = testStreamBase();
    const result = await store.append(stream, [testEvent(), testEvent(), testEvent()], {
      expectedRevision: 'no_stream',
    });
    const { rows } = await db.pool.query(
      `SELECT position::text, transaction_id::text FROM events WHERE stream_id = $1 ORDER BY revision`,
      [stream],
    );
    const xid = BigInt(rows[0].transaction_id);
    expect(rows.map((r: { position: string }) => BigInt(r.position))).toEqual([
      xid * 65536n,
      xid * 65536n + 1n,
      xid * 65536n + 2n,
    ]);
    expect(result.position).toBe(xid * 65536n + 2n);
  });

  it('rejects an id used on another stream', async () => {
    const event = testEvent();
    await store.append(testStreamBase(), [event], { expectedRevision: 'no_stream' });
    const other = testStreamBase();
    const err = await rejection(store.append(other, [event], { expectedRevision: 'any' }));
    expect(err).toMatchObject({ name: 'DuplicateEventIdError', eventId: event.id });
    expect(await store.readStream(other)).toEqual([]);
  });

  it('rejects more than 65535 events in one append', async () => {
    const events = Array.from({ length: 65536 }, () => testEvent());
    const err = await rejection(
      store.append(testStreamBase(), events, { expectedRevision: 'any' }),
    );
    expect(err).toBeInstanceOf(RangeError);
  });

  it('ends its own pool on close, but not a pool it was given', async () => {
    const owning = PostgresEventStore.connect(db.config, { pollIntervalMs: 20 });
    await owning.append(testStreamBase(), [testEvent()], { expectedRevision: 'any' });
    const subscription = owning.subscribeAll(START, { streamPrefixes: [testStreamBase()] });
    const pending = subscription[Symbol.asyncIterator]().next();
    await owning.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await expect(owning.headPosition()).rejects.toThrow();

    const borrowing = new PostgresEventStore(db.pool);
    await borrowing.close();
    await expect(db.pool.query('SELECT 1')).resolves.toBeDefined();
  });
});
