import { type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Pool, PoolClient } from 'pg';
import { EventStore } from '../event-store';
import { createPool } from '../postgres/database';
import { TEST_DATABASE_URL } from '../testing/test-database';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { StandInEvent, readEvent, startStandIn } from './grpc-stand-in';

/*
 * The EventStoreDB adapter's answers to the rebuild's fast paths, with the real client over gRPC
 * to a stand-in serving $all: it cannot count or cut cheaply, never shares a SQL database, and
 * copies events the plain way (reading them) into PostgreSQL.
 */
describe('EventStoreDB fast paths (the real client over gRPC, copying into PostgreSQL)', () => {
  const log: StandInEvent[] = [1n, 2n, 3n].map((position) => ({
    streamId: `family-${position}`,
    revision: 0n,
    position: position * 100n,
    type: 'FamilyTested',
    data: { occurredAt: `2026-01-0${position}T00:00:00.000Z` },
    metadata: { recordedAt: `2026-02-0${position}T00:00:00.000Z` },
  }));
  let stop: () => void;
  let store: EventStore;
  let pool: Pool;
  let client: PoolClient;
  const sql = { query: async (q: string, p?: unknown[]) => (await client.query(q, p)).rows };

  beforeAll(async () => {
    const standIn = await startStandIn({
      read(call: ServerWritableStream<ReadReq, ReadResp>) {
        for (const event of log) call.write(readEvent(event));
        call.end();
      },
    });
    stop = standIn.stop;
    store = EventStoreDbEventStore.connect(standIn.connection);
    pool = createPool({ url: TEST_DATABASE_URL, max: 1 });
    client = await pool.connect();
  });
  afterAll(async () => {
    client?.release();
    await pool?.end();
    await store?.close();
    stop?.();
  });

  it('cannot count, cuts one open range, and shares no database', async () => {
    expect(await store.countEvents(300n)).toBeUndefined();
    expect(await store.streamRanges(4)).toEqual([{}]);
    expect(await store.sharesDatabaseWith(sql)).toBe(false);
    await expect(store.analyze()).resolves.toBeUndefined();
  });

  it('copies the events at or below a position by reading them', async () => {
    await sql.query(
      'CREATE TEMP TABLE esdb_copy (position bigint, family text, occurred_at timestamptz, recorded_at timestamptz)',
    );
    await store.copyEvents(sql, {
      table: 'esdb_copy',
      columns: [
        { name: 'position', from: { field: 'position' } },
        { name: 'family', from: { streamIdAfter: 'family-' } },
        { name: 'occurred_at', from: { data: 'occurredAt', as: 'timestamptz' } },
        { name: 'recorded_at', from: { metadata: 'recordedAt', as: 'timestamptz' } },
      ],
      upTo: 200n,
      streamPrefixes: ['family-'],
    });
    const rows = await sql.query(
      'SELECT position::text, family, occurred_at, recorded_at FROM esdb_copy ORDER BY position',
    );
    expect(rows).toEqual([
      {
        position: '100',
        family: '1',
        occurred_at: new Date('2026-01-01T00:00:00Z'),
        recorded_at: new Date('2026-02-01T00:00:00Z'),
      },
      {
        position: '200',
        family: '2',
        occurred_at: new Date('2026-01-02T00:00:00Z'),
        recorded_at: new Date('2026-02-02T00:00:00Z'),
      },
    ]);
  });
});
