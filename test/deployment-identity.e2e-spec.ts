import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import {
  DatabaseConfig,
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema, testMetadata } from '@app/event-store/testing';
import { connectRedis } from '@app/follow-ups';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { returnsMigrations } from '@app/returns';
import { DataSource } from 'typeorm';
import { assertWorkerBuilt, startWorker } from './support/worker';

/** Runs the built worker until it exits (or `ms` pass): its exit code and everything it logged. */
function runWorker(
  database: DatabaseConfig,
  env: Record<string, string>,
  ms = 20_000,
): Promise<{ code: number | null; output: string }> {
  const child = startWorker(database, env, 'pipe');
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('A worker refuses what belongs to another deployment', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  const redis = connectRedis();

  beforeAll(async () => {
    assertWorkerBuilt();
    schema = await createTestSchema('deploy');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
      ...returnsMigrations,
    ]);
    await migrate(db);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
    await redis.quit();
  });

  it('exits saying so when its Redis queues are marked as another deployment’s', async () => {
    const prefix = `deploy-${randomUUID().slice(0, 8)}`;
    const other = randomUUID();
    await redis.set(`${prefix}:deployment`, other, 'EX', 600);
    const { code, output } = await runWorker(schema.config, {
      FOLLOW_UP_QUEUE_PREFIX: prefix,
      FOLLOW_UP_SWEEP_EVERY_MS: '200',
    });
    expect(code).toBe(1);
    expect(output).toContain(`Redis queues under prefix ${prefix} belong to another deployment`);
    expect(output).toContain(other);
    expect(await redis.get(`${prefix}:deployment`)).toBe(other);
  }, 30_000);

  it('exits saying to rebuild when its read models came from another store', async () => {
    const store = PostgresEventStore.connect(schema.config);
    try {
      const runner = new ProjectionRunner(store, db, allProjections());
      runner.start();
      const { position } = await store.append(
        familyStreamId(randomUUID()),
        [
          {
            id: randomUUID(),
            type: 'FamilyReferred',
            data: {
              occurredAt: '2025-01-10T00:00:00.000Z',
              authority: 'la-1',
              programme: 'fip',
              source: 'police',
              reasons: ['asb'],
            },
            metadata: testMetadata({ authority: 'la-1' }),
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      await waitForProjections(
        db,
        allProjections().map((p) => p.name),
        position,
      );
      await runner.stop();
    } finally {
      await store.close();
    }
    // Read models restored from another deployment's dump: their checkpoints name its store.
    const foreign = randomUUID();
    await db.query('UPDATE projection_checkpoints SET store_id = $1', [foreign]);
    const { code, output } = await runWorker(schema.config, {
      FOLLOW_UPS: 'off',
      RETURNS: 'off',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/projection \S+ will not run: its checkpoint .* belongs to event store/);
    expect(output).toContain(foreign);
    expect(output).toContain('rebuild');
  }, 30_000);
});
