import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
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
import { readModels } from './support/harness';
import { storyOf } from './support/stories';
import { assertWorkerBuilt, exited, startWorker } from './support/worker';

/**
 * The worker is killed (SIGKILL, no chance to clean up) while it is applying a long backlog, then
 * started again: the read models it ends with must equal those of a clean rebuild.
 */
describe('projection worker crash (e2e)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  const names = allProjections().map((p) => p.name);

  beforeAll(async () => {
    assertWorkerBuilt();
    schema = await createTestSchema('crash');
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
    await store?.close();
    await db?.destroy();
    await schema?.drop();
  });

  // Projections only: a follow-up sweep would append events while the test counts them.
  const startProjectionWorker = (env: Record<string, string> = {}) =>
    startWorker(schema.config, { FOLLOW_UPS: 'off', ...env });

  it('resumes after SIGKILL and ends equal to a clean rebuild', async () => {
    for (let i = 0; i < 600; i++) {
      const familyId = randomUUID();
      await store.append(familyStreamId(familyId), storyOf(i), { expectedRevision: 'no_stream' });
    }
    // Everything written, not the visible head (an open transaction elsewhere holds that back).
    const head = await store.lastPosition();

    // Small batches make the backlog long enough to be caught in the middle.
    const first = startProjectionWorker({ PROJECTION_BATCH_SIZE: '10' });
    let killedAt: bigint | undefined;
    const deadline = Date.now() + 30_000;
    while (killedAt === undefined && Date.now() < deadline) {
      const position = (await projectionCheckpoints(db)).get('families') ?? 0n;
      if (position > 0n) {
        first.kill('SIGKILL');
        await exited(first);
        killedAt = (await projectionCheckpoints(db)).get('families');
      }
    }
    first.kill('SIGKILL');
    expect(killedAt).toBeDefined();
    expect(killedAt!).toBeLessThan(head);

    const second = startProjectionWorker();
    try {
      await waitForProjections(db, names, head, 60_000);
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
    const afterCrash = await readModels(db);
    const [{ count }] = (await db.query('SELECT count(*)::int AS count FROM family_timeline')) as {
      count: number;
    }[];
    expect(count).toBe(600 * storyOf(0).length);

    const projections = allProjections();
    for (const p of projections) await resetProjection(db, p);
    const rebuild = new ProjectionRunner(store, db, projections);
    rebuild.start();
    try {
      await waitForProjections(db, names, head, 60_000);
    } finally {
      await rebuild.stop();
    }
    expect(await readModels(db)).toEqual(afterCrash);
    // The waits above have deadlines of their own; the default 5 s is too short for them.
  }, 120_000);
});
