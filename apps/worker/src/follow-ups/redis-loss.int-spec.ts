import {
  RedisEvictionPolicyError,
  assertNoEviction,
  connectRedis,
  followUpId,
} from '@app/follow-ups';
import { TestClock, startFixture, startPrivateRedis, until } from './testing/fixture';

/**
 * Redis is not the system of record: these tests run their own redis-server (so flushing it
 * cannot disturb other test files) and check that PostgreSQL brings every revisit back.
 */
describe('follow-ups survive the loss of Redis', () => {
  const clock = new TestClock(new Date('2025-01-01T00:00:00.000Z'));
  let f: Awaited<ReturnType<typeof startFixture>>;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    f = await startFixture(clock);
  });
  afterAll(async () => {
    await f.close();
    await redis.stop();
  });

  it('FLUSHALL, then the clock moves on: every due revisit appears exactly once', async () => {
    const connection = connectRedis(redis.url);
    const engine = f.engine({ redis: connection, horizonMs: 48 * 3600_000 });
    clock.set('2025-01-01T00:00:00.000Z');
    // Twenty planned exits, due over two days a year on.
    const families: string[] = [];
    for (let i = 0; i < 20; i++) {
      families.push(await f.exitedFamily(new Date(Date.UTC(2024, 11, 30, i)).toISOString()));
    }
    await f.caughtUp();
    await engine.sweep(clock.now());
    await f.caughtUp();
    // The day before they fall due the sweep puts them in Redis as delayed jobs...
    clock.set('2025-12-29T12:00:00.000Z');
    const result = await engine.sweep(clock.now());
    expect(result.enqueued).toBe(20);
    expect(await engine.dueQueue.getJobCountByTypes('delayed')).toBe(20);
    // ...and Redis loses them all.
    await connection.flushall();
    expect(await engine.dueQueue.getJobCountByTypes('delayed', 'waiting')).toBe(0);

    // The worker comes back after the due dates (it was down, say, a week).
    clock.set('2026-01-06T00:00:00.000Z');
    engine.startWorkers();
    await engine.sweep(clock.now());
    const dueCount = async () =>
      Number(
        (
          (await f.db.query(
            `SELECT count(*) AS n FROM events WHERE type = 'FollowUpDue' AND stream_id = ANY($1)`,
            [families.map((id) => `family-${id}`)],
          )) as { n: string }[]
        )[0].n,
      );
    await until(async () => (await dueCount()) === 20, 'all twenty FollowUpDue events');
    // A second sweep before the read model has caught up must not add any.
    await engine.sweep(clock.now());
    await f.caughtUp();
    await engine.sweep(clock.now());
    await until(
      async () => (await engine.dueQueue.getJobCountByTypes('waiting', 'active', 'delayed')) === 0,
      'the due queue to drain',
    );
    expect(await dueCount()).toBe(20);
    for (const id of families) {
      expect(await f.eventsOf(id, 'FollowUpDue')).toHaveLength(1);
      const [row] = (await f.db.query('SELECT status FROM follow_ups WHERE follow_up_id = $1', [
        followUpId(id, 1),
      ])) as { status: string }[];
      expect(row.status).toBe('due');
    }
    await engine.close();
    await connection.quit();
  });
});

describe('a Redis that may evict keys', () => {
  let lru: Awaited<ReturnType<typeof startPrivateRedis>>;
  beforeAll(async () => {
    lru = await startPrivateRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(async () => {
    await lru.stop();
  });

  it('is refused by the check, which accepts a noeviction Redis', async () => {
    const evicting = connectRedis(lru.url);
    await expect(assertNoEviction(evicting)).rejects.toBeInstanceOf(RedisEvictionPolicyError);
    await expect(assertNoEviction(evicting)).rejects.toThrow(/allkeys-lru/);
    await evicting.quit();
    const shared = connectRedis();
    await expect(assertNoEviction(shared)).resolves.toBeUndefined();
    await shared.quit();
  });
});
