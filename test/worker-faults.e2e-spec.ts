import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { connectRedis } from '@app/follow-ups';
import {
  ProjectionRunner,
  projectionCheckpoints,
  resetProjection,
  waitForProjections,
} from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { DataSource } from 'typeorm';
import { until } from '../apps/worker/src/follow-ups/testing/fixture';
import { readModels } from './support/harness';
import { storyOf } from './support/stories';
import { assertWorkerBuilt, exited, startWorker } from './support/worker';

/**
 * Two full workers (projections and follow-ups) on one database and one Redis, while families keep
 * arriving; one worker is SIGKILLed mid-projection and Redis is killed and restarted empty (a
 * private redis-server on a fixed port, so nothing shared is touched). Afterwards: no event lost
 * or doubled, every revisit scheduled and fired exactly once, and the read models equal a clean
 * rebuild from the log. (SIGKILL during a return build is left to the returns work.)
 */
describe('worker faults: SIGKILL, Redis lost, two workers (e2e)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  let redis: { stop(): Promise<void> } | undefined;
  const redisPort = 20_000 + Math.floor(Math.random() * 20_000);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const names = allProjections().map((p) => p.name);
  const workers: ChildProcess[] = [];

  /** redis-server on our own port, no persistence: a restart comes back empty. */
  const startRedis = async () => {
    const child = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = connectRedis(redisUrl);
    probe.on('error', () => undefined);
    await until(
      async () => (await probe.ping().catch(() => '')) === 'PONG',
      'redis-server',
      10_000,
    );
    await probe.quit();
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    return {
      stop: async () => {
        child.kill('SIGKILL');
        await gone;
      },
    };
  };

  beforeAll(async () => {
    assertWorkerBuilt();
    schema = await createTestSchema('faults');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
    ]);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config);
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    await redis?.stop();
    await store?.close();
    await db?.destroy();
    await schema?.drop();
  });

  const start = () => {
    const worker = startWorker(schema.config, {
      REDIS_URL: redisUrl,
      FOLLOW_UP_QUEUE_PREFIX: 'faults',
      FOLLOW_UP_SWEEP_EVERY_MS: '200',
      PROJECTION_BATCH_SIZE: '10',
    });
    workers.push(worker);
    return worker;
  };

  let families = 0;
  const addFamilies = async (n: number) => {
    for (let k = 0; k < n; k++, families++) {
      await store.append(familyStreamId(randomUUID()), storyOf(families), {
        expectedRevision: 'no_stream',
      });
    }
  };
  const count = async (sql: string) => ((await db.query(sql)) as { n: number }[])[0].n;

  it('ends with every event once, every revisit once, and read models equal to a rebuild', async () => {
    await addFamilies(200);
    // The first worker takes the projection locks; the second stands by until it dies.
    const a = start();
    await until(
      async () => ((await projectionCheckpoints(db)).get('families') ?? 0n) > 0n,
      'the projections to start',
      30_000,
    );
    start();
    a.kill('SIGKILL');
    await exited(a);
    const killedAt = (await projectionCheckpoints(db)).get('families')!;
    expect(killedAt).toBeLessThan(await store.lastPosition());
    await addFamilies(40);

    // Redis dies and comes back empty, while the surviving worker goes on.
    await redis!.stop();
    await addFamilies(40);
    redis = await startRedis();
    start();
    await addFamilies(20);

    const planned = Array.from({ length: families }, (_, i) => i).filter((i) => i % 3 !== 0).length;
    await until(
      async () =>
        (await count(`SELECT count(*)::int AS n FROM events WHERE type = 'FollowUpDue'`)) >=
        planned,
      'every planned exit to fall due',
      180_000,
    );
    // Every event written (not the visible head, which another transaction can hold back).
    const last = await store.lastPosition();
    await waitForProjections(db, names, last, 90_000);
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));

    // No event lost or doubled: each family's story once, each revisit scheduled and due once.
    const perStream = (await db.query(
      `SELECT stream_id,
         count(*) FILTER (WHERE type NOT LIKE 'FollowUp%')::int AS story,
         count(*) FILTER (WHERE type = 'FollowUpScheduled')::int AS scheduled,
         count(*) FILTER (WHERE type = 'FollowUpDue')::int AS due
       FROM events GROUP BY stream_id`,
    )) as { story: number; scheduled: number; due: number }[];
    expect(perStream).toHaveLength(families);
    expect(perStream.filter((s) => s.story !== storyOf(0).length)).toEqual([]);
    expect(perStream.filter((s) => s.scheduled > 1 || s.due > 1)).toEqual([]);
    expect(perStream.filter((s) => s.due === 1)).toHaveLength(planned);
    expect(await count(`SELECT count(*)::int AS n FROM follow_ups WHERE status = 'due'`)).toBe(
      planned,
    );

    // The read models the crashes left equal a clean rebuild from the log.
    const live = await readModels(db);
    const projections = allProjections();
    for (const p of projections) await resetProjection(db, p);
    const rebuild = new ProjectionRunner(store, db, projections);
    rebuild.start();
    try {
      await waitForProjections(db, names, await store.lastPosition(), 90_000);
    } finally {
      await rebuild.stop();
    }
    expect(await readModels(db)).toEqual(live);
  }, 400_000);
});
