import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { FamilyEvent, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { connectRedis } from '@app/follow-ups';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { DataSource } from 'typeorm';
import { startPrivateRedis, until } from '../apps/worker/src/follow-ups/testing/fixture';
import { TICK, assertWorkerBuilt, exited, startWorker } from './support/worker';
import { toAppend } from './support/stories';

const FAMILIES = 30;

/**
 * The built worker, twice, as separate processes on one database and one Redis, with the system
 * clock: back-dated exits must each get exactly one FollowUpScheduled and one FollowUpDue.
 */
describe('two follow-up worker processes (e2e)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  const prefix = `fu-procs-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    assertWorkerBuilt();
    schema = await createTestSchema('fup');
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
    const redis = connectRedis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await store?.close();
    await db?.destroy();
    await schema?.drop();
  });

  const startFollowUpWorker = (env: Record<string, string> = {}) =>
    startWorker(schema.config, {
      FOLLOW_UP_QUEUE_PREFIX: prefix,
      FOLLOW_UP_SWEEP_EVERY_MS: '200',
      ...env,
    });

  /** A family whose planned exit was `daysAgo` days ago, appended as a valid history. */
  const exitedFamily = async (daysAgo: number) => {
    const at = (d: number) => new Date(Date.now() - (daysAgo + d) * 86_400_000).toISOString();
    const events: FamilyEvent[] = [
      {
        type: 'FamilyReferred',
        data: {
          occurredAt: at(300),
          authority: 'la-1',
          programme: 'fip',
          source: 'police',
          reasons: ['asb'],
        },
      },
      { type: 'InterventionOffered', data: { occurredAt: at(290) } },
      { type: 'InterventionAccepted', data: { occurredAt: at(280) } },
      { type: 'FamilyExited', data: { occurredAt: at(0), exitType: 'planned' } },
    ];
    await store.append(familyStreamId(randomUUID()), toAppend(events, { authority: 'la-1' }), {
      expectedRevision: 'no_stream',
    });
  };

  const countByStream = async (type: string) =>
    (await db.query(
      `SELECT stream_id, count(*)::int AS n FROM events WHERE type = $1 GROUP BY stream_id`,
      [type],
    )) as { stream_id: string; n: number }[];

  it('record each revisit once, however the two race', async () => {
    for (let i = 0; i < FAMILIES; i++) await exitedFamily(380 + i);
    const workers = [startFollowUpWorker(), startFollowUpWorker()];
    try {
      await until(
        async () =>
          Number(
            (
              (await db.query(
                `SELECT count(*)::int AS n FROM follow_ups WHERE status = 'due'`,
              )) as {
                n: number;
              }[]
            )[0].n,
          ) === FAMILIES,
        'every revisit to be due in the read model',
        25_000,
      );
    } finally {
      workers.forEach((w) => w.kill('SIGTERM'));
      await Promise.all(workers.map(exited));
    }
    const scheduled = await countByStream('FollowUpScheduled');
    const due = await countByStream('FollowUpDue');
    expect(scheduled).toHaveLength(FAMILIES);
    expect(due).toHaveLength(FAMILIES);
    expect(scheduled.every((r) => r.n === 1)).toBe(true);
    expect(due.every((r) => r.n === 1)).toBe(true);
  }, 30_000);

  it('refuses to start on a Redis that may evict keys', async () => {
    const lru = await startPrivateRedis([
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    try {
      const worker = startFollowUpWorker({ REDIS_URL: lru.url });
      expect(await exited(worker)).toBe(1);
    } finally {
      await lru.stop();
    }
  }, 20_000);

  it('runs the scheduler once as at a simulated date from the operator command', async () => {
    // Exited 100 days ago: not due now, due as at 300 days from now.
    await exitedFamily(100);
    const [{ stream_id: stream }] = (await db.query(
      `SELECT stream_id FROM events ORDER BY position DESC LIMIT 1`,
    )) as { stream_id: string }[];
    const tick = async (at: Date) => {
      const child = spawn(process.execPath, TICK(at), {
        env: {
          ...process.env,
          DATABASE_URL: schema.config.url,
          DATABASE_SCHEMA: schema.config.schema,
          EVENT_STORE: 'postgres',
          FOLLOW_UP_QUEUE_PREFIX: `${prefix}-tick`,
        },
        stdio: 'ignore',
      });
      return exited(child);
    };
    const typesOf = async () =>
      (
        (await db.query(`SELECT type FROM events WHERE stream_id = $1 ORDER BY revision`, [
          stream,
        ])) as { type: string }[]
      ).map((r) => r.type);

    expect(await tick(new Date())).toBe(0);
    expect((await typesOf()).slice(-2)).toEqual(['FamilyExited', 'FollowUpScheduled']);
    expect(await tick(new Date(Date.now() + 300 * 86_400_000))).toBe(0);
    expect((await typesOf()).slice(-2)).toEqual(['FollowUpScheduled', 'FollowUpDue']);
  }, 60_000);
});
