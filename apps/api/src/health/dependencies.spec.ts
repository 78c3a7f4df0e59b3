import { loadConfig } from '@app/config';
import { EventStore } from '@app/event-store';
import { RedisLinks } from '@app/follow-ups';
import { DataSource } from 'typeorm';
import { Dependencies } from './dependencies';

/** The checks' verdicts over stand-in ports (the real ones are exercised end to end). */
describe('dependency health', () => {
  // Nothing listens on port 1.
  const redis = new RedisLinks(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }));
  afterAll(() => redis.onApplicationShutdown());

  const db = (up: boolean) =>
    ({
      query: (sql: string) =>
        up
          ? Promise.resolve(sql.includes('projection_checkpoints') ? [] : [{ '?column?': 1 }])
          : Promise.reject(new Error('ECONNREFUSED')),
    }) as unknown as DataSource;
  const store = (lastPosition: () => Promise<bigint>) =>
    ({ lastPosition, headPosition: () => Promise.resolve(0n) }) as unknown as EventStore;

  it('reports an event store that fails its lastPosition as down: not ready, degraded', async () => {
    const deps = new Dependencies(
      db(true),
      store(() => Promise.reject(new Error('UnavailableError'))),
      redis,
    );
    const report = await deps.check();
    expect(report).toMatchObject({ database: 'up', eventStore: 'down', redis: 'down' });
    expect(Dependencies.ready(report)).toBe(false);
    expect(Dependencies.healthy(report)).toBe(false);
  });

  it('counts an event store that does not answer within the check timeout as down', async () => {
    const deps = new Dependencies(
      db(true),
      store(() => new Promise<bigint>(() => undefined)),
      redis,
    );
    expect(await deps.serving()).toEqual({ database: 'up', eventStore: 'down' });
  });

  it('is ready with PostgreSQL and the event store up, whatever Redis does', async () => {
    const deps = new Dependencies(
      db(true),
      store(() => Promise.resolve(0n)),
      redis,
    );
    const report = await deps.check();
    expect(report).toMatchObject({ database: 'up', eventStore: 'up', redis: 'down' });
    expect(Dependencies.ready(report)).toBe(true);
    expect(Dependencies.healthy(report)).toBe(false);
  });

  it('reports a database that fails as down', async () => {
    const deps = new Dependencies(
      db(false),
      store(() => Promise.resolve(0n)),
      redis,
    );
    expect(await deps.serving()).toEqual({ database: 'down', eventStore: 'up' });
  });
});
