import { randomUUID } from 'node:crypto';
import { spawn, ChildProcess } from 'node:child_process';
import { Clock, ExitType, FamilyEvent } from '@app/domain';
import {
  EventStore,
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import {
  FollowUpEngine,
  FollowUpEngineOptions,
  FollowUpRecorder,
  connectRedis,
  followUpRecorder,
} from '@app/follow-ups';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { Redis } from 'ioredis';
import { FamilyRecorder } from '@app/recording';

/** A family's story from referral to an exit at `exitedAt` (earlier steps dated before it). */
export function exitedStory(
  authority: string,
  exitedAt: string,
  exitType: ExitType = 'planned',
): FamilyEvent[] {
  const exit = Date.parse(exitedAt);
  const before = (days: number) => new Date(exit - days * 86_400_000).toISOString();
  return [
    {
      type: 'FamilyReferred',
      data: {
        occurredAt: before(300),
        authority,
        programme: 'fip',
        source: 'police',
        reasons: ['asb'],
      },
    },
    { type: 'InterventionOffered', data: { occurredAt: before(290) } },
    { type: 'InterventionAccepted', data: { occurredAt: before(280) } },
    { type: 'FamilyExited', data: { occurredAt: exitedAt, exitType } },
  ];
}

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
  set(at: string | Date): void {
    this.at = new Date(at);
  }
}

/**
 * Real PostgreSQL (a schema of its own) and the projections running, plus a way to record family
 * histories through the API's write path and to build follow-up engines on a Redis with a key
 * prefix of their own.
 */
export async function startFixture(clock: TestClock) {
  const schema = await createTestSchema('fu');
  const db = createDataSource(schema.config, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  await migrate(db);
  const store: EventStore = PostgresEventStore.connect(schema.config);
  const runner = new ProjectionRunner(store, db, allProjections());
  runner.start();
  const names = allProjections().map((p) => p.name);
  const families = new FamilyRecorder(store, clock);
  const recorder: FollowUpRecorder = followUpRecorder(store, clock);
  const prefix = `fu-test-${randomUUID().slice(0, 8)}`;
  const engines: FollowUpEngine[] = [];
  const redises: Redis[] = [];
  const authority = `auth-${randomUUID().slice(0, 8)}`;

  // Every event committed so far (`lastPosition()`, not the visible head).
  const caughtUp = async () => waitForProjections(db, names, await store.lastPosition());

  const record = async (familyId: string, event: FamilyEvent) =>
    families.record({ familyId, event, actor: { id: 'test', correlationId: randomUUID() } });

  /** Referral to exit; returns the family id. Dates around `exitedAt`. */
  const exitedFamily = async (exitedAt: string, exitType: ExitType = 'planned') => {
    const familyId = randomUUID();
    for (const event of exitedStory(authority, exitedAt, exitType)) await record(familyId, event);
    return familyId;
  };

  const engine = (options: Partial<FollowUpEngineOptions> = {}) => {
    const redis = options.redis ?? connectRedis();
    if (!options.redis) redises.push(redis);
    const e = new FollowUpEngine({
      db,
      recorder,
      clock,
      redis,
      prefix,
      horizonMs: 60_000,
      ...options,
    });
    engines.push(e);
    return e;
  };

  /** Events of one type on a family's stream. */
  const eventsOf = async (familyId: string, type: string) =>
    (await store.readStream(`family-${familyId}`)).filter((e) => e.type === type);

  const close = async () => {
    await Promise.all(engines.map((e) => e.close()));
    // Remove this file's keys only: other test files share the Redis.
    const cleaner = connectRedis();
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length) await cleaner.del(...keys);
    await cleaner.quit();
    await Promise.all(redises.map((r) => r.quit()));
    await runner.stop();
    await store.close();
    await db.destroy();
    await schema.drop();
  };

  return {
    db,
    store,
    recorder,
    record,
    exitedFamily,
    engine,
    eventsOf,
    caughtUp,
    close,
    prefix,
    authority,
    redises,
  };
}

/** Polls a condition (a database count, a queue state) until it holds; never a bare sleep. */
export async function until(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A private redis-server on a free port (or on `port`, to start one again where a killed one
 * was), for tests that flush, kill or misconfigure Redis.
 */
export async function startPrivateRedis(
  args: string[] = [],
  port?: number,
): Promise<{
  url: string;
  stop: () => Promise<void>;
}> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const chosen = port ?? 20_000 + Math.floor(Math.random() * 20_000);
    const child: ChildProcess = spawn(
      'redis-server',
      [
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...args,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const url = `redis://127.0.0.1:${chosen}`;
    const probe = connectRedis(url);
    probe.on('error', () => undefined);
    try {
      await until(
        async () => (await probe.ping().catch(() => '')) === 'PONG',
        'redis-server',
        5000,
      );
      await probe.quit();
      return {
        url,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    } catch {
      probe.disconnect();
      child.kill('SIGKILL');
      await exited;
    }
  }
  throw new Error('could not start a private redis-server');
}
