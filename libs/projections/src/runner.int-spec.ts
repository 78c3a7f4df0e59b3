import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { DataSource } from 'typeorm';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { ProjectionRunner, waitForProjections } from './runner';

const referral = (authority: string) => ({
  id: randomUUID(),
  type: 'FamilyReferred',
  data: {
    occurredAt: '2025-01-10T00:00:00.000Z',
    authority,
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  },
  metadata: {
    recordedAt: new Date().toISOString(),
    actor: 'test',
    authority,
    correlationId: randomUUID(),
    schemaVersion: 1,
  },
});
const offer = (authority: string) => ({
  ...referral(authority),
  id: randomUUID(),
  type: 'InterventionOffered',
  data: { occurredAt: '2025-01-12T00:00:00.000Z' },
});

describe('ProjectionRunner', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  const names = allProjections().map((p) => p.name);

  beforeAll(async () => {
    schema = await createTestSchema('runner');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
    ]);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config);
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
    await schema.drop();
  });

  it('applies each event once with two runners competing, while writers append', async () => {
    const a = new ProjectionRunner(store, db, allProjections(), {
      batchSize: 7,
      standbyRetryMs: 20,
    });
    const b = new ProjectionRunner(store, db, allProjections(), {
      batchSize: 7,
      standbyRetryMs: 20,
    });
    a.start();
    b.start();
    const families = Array.from({ length: 40 }, () => randomUUID());
    let last = 0n;
    try {
      await Promise.all(
        families.map(async (id, i) => {
          await store.append(familyStreamId(id), [referral(`la-${i % 3}`)], {
            expectedRevision: 'no_stream',
          });
          const r = await store.append(familyStreamId(id), [offer(`la-${i % 3}`)], {
            expectedRevision: 0n,
          });
          if (r.position > last) last = r.position;
        }),
      );
      // Stop one runner half-way: whichever held the locks, the other carries on from the checkpoints.
      await a.stop();
      for (const [i, id] of families.slice(0, 10).entries()) {
        const r = await store.append(
          familyStreamId(id),
          [
            {
              ...offer(`la-${i % 3}`),
              id: randomUUID(),
              type: 'InterventionAccepted',
              data: { occurredAt: '2025-01-15T00:00:00.000Z' },
            },
          ],
          { expectedRevision: 1n },
        );
        if (r.position > last) last = r.position;
      }
      await waitForProjections(db, names, last);
    } finally {
      await a.stop();
      await b.stop();
    }
    const [{ count }] = (await db.query('SELECT count(*)::int AS count FROM family_timeline')) as {
      count: number;
    }[];
    expect(count).toBe(90);
    const statuses = (await db.query(
      'SELECT status, count(*)::int AS n FROM families GROUP BY status ORDER BY status',
    )) as { status: string; n: number }[];
    expect(statuses).toEqual([
      { status: 'accepted', n: 10 },
      { status: 'offered', n: 30 },
    ]);
  });

  it('analyzes the tables of a projection once it has applied analyzeAfter events, and the log', async () => {
    const analyzed = async () =>
      (await db.query(
        `SELECT relname, reltuples FROM pg_class
         WHERE relnamespace = current_schema()::regnamespace AND relname = ANY($1)
         ORDER BY relname`,
        [['events', 'families', 'family_timeline']],
      )) as { relname: string; reltuples: number }[];
    const runner = new ProjectionRunner(store, db, allProjections(), {
      batchSize: 5,
      analyzeAfter: 20,
    });
    let last = 0n;
    for (let i = 0; i < 12; i++) {
      const id = randomUUID();
      const r = await store.append(familyStreamId(id), [referral('la-9'), offer('la-9')], {
        expectedRevision: 'no_stream',
      });
      if (r.position > last) last = r.position;
    }
    const before = await analyzed();
    runner.start();
    try {
      await waitForProjections(db, names, last);
    } finally {
      await runner.stop();
    }
    const after = await analyzed();
    // ANALYZE sets reltuples to what the table held then: 90 rows before, 20 more at the first
    // threshold (24 applied, batches of 5).
    const tuples = (rows: typeof before, name: string) =>
      rows.find((t) => t.relname === name)!.reltuples;
    expect(tuples(before, 'family_timeline')).toBeLessThan(110);
    expect(tuples(after, 'family_timeline')).toBeGreaterThanOrEqual(110);
    expect(tuples(after, 'events')).toBeGreaterThanOrEqual(110);
    expect(tuples(after, 'families')).toBeGreaterThanOrEqual(40);
  });
});
