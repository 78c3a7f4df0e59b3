import { copyEventsByReading } from '../event-copy';
import { EventCopy } from '../event-store';
import { testEvent, testStreamBase } from '../testing/contract-helpers';
import { createTestSchema } from '../testing/test-database';
import { createDataSource, createPool, migrate } from './database';
import { eventStoreMigrations } from './index';
import { PostgresEventStore } from './postgres-event-store';

/*
 * `copyEvents` has two ways (one INSERT … SELECT over the log; reading the events and inserting
 * them): the rows must be the same. Both run here over the same events into two tables.
 */
describe('PostgreSQL copyEvents: the set-based copy and the plain one agree', () => {
  it('fills two tables with the same rows, every kind of column, prefixes taken literally', async () => {
    const schema = await createTestSchema('copy');
    const dataSource = createDataSource(schema.config, eventStoreMigrations);
    await migrate(dataSource);
    const pool = createPool(schema.config);
    const store = new PostgresEventStore(pool);
    const client = await pool.connect();
    const db = { query: async (q: string, p?: unknown[]) => (await client.query(q, p)).rows };
    try {
      const base = testStreamBase();
      for (const [i, suffix] of ['-a', '%b', '-c', '_d'].entries()) {
        const data = { occurredAt: new Date(Date.UTC(2026, 0, i + 1)).toISOString(), n: i };
        await store.append(`${base}${suffix}`, [testEvent('T', data), testEvent('U', data)], {
          expectedRevision: 'no_stream',
        });
      }
      await store.append(testStreamBase(), [testEvent()], { expectedRevision: 'no_stream' });
      const head = await store.headPosition();
      expect(await store.sharesDatabaseWith(db)).toBe(true);
      const columns = `position bigint, id uuid, stream text, suffix text, revision bigint,
        type text, data jsonb, metadata jsonb, occurred timestamptz, n text, actor text`;
      const copy = (table: string): EventCopy => ({
        table,
        columns: [
          { name: 'position', from: { field: 'position' } },
          { name: 'id', from: { field: 'id', as: 'uuid' } },
          { name: 'stream', from: { field: 'streamId' } },
          { name: 'suffix', from: { streamIdAfter: base } },
          { name: 'revision', from: { field: 'revision' } },
          { name: 'type', from: { field: 'type' } },
          { name: 'data', from: { field: 'data' } },
          { name: 'metadata', from: { field: 'metadata' } },
          { name: 'occurred', from: { data: 'occurredAt', as: 'timestamptz' } },
          { name: 'n', from: { data: 'n' } },
          { name: 'actor', from: { metadata: 'actor' } },
        ],
        upTo: head,
        streamPrefixes: [`${base}-`, `${base}%`],
      });
      await db.query(`CREATE TEMP TABLE in_sql (${columns})`);
      await db.query(`CREATE TEMP TABLE by_reading (${columns})`);
      await store.copyEvents(db, copy('in_sql'));
      await copyEventsByReading(store, db, copy('by_reading'));
      const inSql = await db.query('SELECT * FROM in_sql ORDER BY position');
      const byReading = await db.query('SELECT * FROM by_reading ORDER BY position');
      expect(inSql).toHaveLength(6);
      expect(inSql.map((r: { suffix: string }) => r.suffix)).toEqual([
        '-a',
        '-a',
        '%b',
        '%b',
        '-c',
        '-c',
      ]);
      expect(inSql).toEqual(byReading);
    } finally {
      client.release();
      await store.close();
      await pool.end();
      await dataSource.destroy();
      await schema.drop();
    }
  });
});
