import { randomUUID } from 'node:crypto';
import { EventStore, RecordedEvent, SqlQueryable } from '../event-store';
import { ContractContext, testEvent, testStreamBase } from './contract-helpers';

/** A stream's events, `occurredAt` in their data as the read models' events have it. */
const occurred = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    testEvent('ContractTested', { occurredAt: new Date(Date.UTC(2026, 0, i + 1)).toISOString() }),
  );

/**
 * The contract of the rebuild's fast paths: each answers what the plain reads would (a store
 * that cannot do one cheaply says so, as the port allows), on any adapter.
 */
export function describeFastPathContract(ctx: ContractContext): void {
  const { visible } = ctx;
  let store: EventStore;
  beforeAll(() => {
    store = ctx.store;
  });

  /** Four streams of the test, their events visible. */
  async function fourStreams(): Promise<{ base: string; events: RecordedEvent[] }> {
    const base = testStreamBase();
    for (const suffix of ['-d', '-a', '-c', '-b']) {
      await store.append(`${base}${suffix}`, occurred(2), { expectedRevision: 'no_stream' });
    }
    return { base, events: await visible(base, 8) };
  }

  describe('fast paths', () => {
    it('countEvents counts the events at or below a position, of the prefixes, or cannot tell', async () => {
      const { base, events } = await fourStreams();
      const all = await store.countEvents(events[7].position, { streamPrefixes: [base] });
      const some = await store.countEvents(events[2].position, { streamPrefixes: [base] });
      if (all === undefined) {
        expect(some).toBeUndefined();
      } else {
        expect([all, some]).toEqual([8, 3]);
        const everything = await store.countEvents(events[7].position);
        expect(everything).toBeGreaterThanOrEqual(8);
      }
    });

    it('streamRanges cuts the streams into ordered ranges that hold each one once', async () => {
      const { base, events } = await fourStreams();
      const streams = [...new Set(events.map((e) => e.streamId))].sort();
      for (const n of [1, 2, 3, 8]) {
        const ranges = await store.streamRanges(n, { streamPrefixes: [base] });
        expect(ranges.length).toBeGreaterThanOrEqual(1);
        expect(ranges.length).toBeLessThanOrEqual(n);
        expect(ranges[0].from).toBeUndefined();
        expect(ranges[ranges.length - 1].before).toBeUndefined();
        for (let i = 1; i < ranges.length; i++) expect(ranges[i].from).toBe(ranges[i - 1].before);
        for (const stream of streams) {
          const holding = ranges.filter(
            (r) =>
              (r.from === undefined || r.from <= stream) &&
              (r.before === undefined || stream < r.before),
          );
          expect(holding).toHaveLength(1);
        }
      }
    });

    it('copyEvents fills a table with the events at or below a position, as a replay would', async () => {
      const { sql } = ctx.fixture;
      const { base, events } = await fourStreams();
      expect(await store.sharesDatabaseWith(sql.db)).toBe(sql.holdsLog);
      const table = `contract_copy_${randomUUID().replace(/-/g, '')}`;
      await sql.db.query(
        `CREATE TEMP TABLE ${table} (position bigint, event_id uuid, suffix text, revision bigint,
           type text, occurred_at timestamptz, recorded_at timestamptz, data jsonb)`,
      );
      const upTo = events[5].position;
      await store.copyEvents(sql.db, {
        table,
        columns: [
          { name: 'position', from: { field: 'position' } },
          { name: 'event_id', from: { field: 'id', as: 'uuid' } },
          { name: 'suffix', from: { streamIdAfter: base } },
          { name: 'revision', from: { field: 'revision' } },
          { name: 'type', from: { field: 'type' } },
          { name: 'occurred_at', from: { data: 'occurredAt', as: 'timestamptz' } },
          { name: 'recorded_at', from: { metadata: 'recordedAt', as: 'timestamptz' } },
          { name: 'data', from: { field: 'data' } },
        ],
        upTo,
        streamPrefixes: [base],
      });
      const rows = (await sql.db.query(
        `SELECT position::text, event_id, suffix, revision::text, type, occurred_at, recorded_at, data
         FROM ${table} ORDER BY position`,
      )) as Record<string, unknown>[];
      await sql.db.query(`DROP TABLE ${table}`);
      expect(rows).toEqual(
        events.slice(0, 6).map((e) => ({
          position: e.position.toString(),
          event_id: e.id,
          suffix: e.streamId.slice(base.length),
          revision: e.revision.toString(),
          type: e.type,
          occurred_at: new Date(e.data.occurredAt as string),
          recorded_at: new Date(e.metadata.recordedAt),
          data: e.data,
        })),
      );
    });

    it('analyze resolves', async () => {
      await expect(store.analyze()).resolves.toBeUndefined();
    });
  });
}

/** A single connection as the contract's SQL target (a temporary table lives on one). */
export interface ContractSqlTarget {
  db: SqlQueryable;
  /** Whether the store's log is in that database and schema (`sharesDatabaseWith`). */
  holdsLog: boolean;
}
