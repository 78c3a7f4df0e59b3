import { ConfigInvalid, loadConfig } from './config';

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigInvalid);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe('loadConfig', () => {
  it('fills in every default when nothing is set', () => {
    const c = loadConfig({});
    expect(c.http).toEqual({ port: 3000, host: '127.0.0.1' });
    expect(c.storage).toEqual({
      database: { url: 'postgres://postgres@127.0.0.1:5432/postgres' },
      eventStore: 'postgres',
    });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.projections).toEqual({ batchSize: 500, analyzeAfter: 100_000 });
    expect(c.followUps).toEqual({
      enabled: true,
      redisUrl: 'redis://127.0.0.1:6379',
      sweepEveryMs: 60_000,
    });
    expect(c.returns).toEqual({
      enabled: true,
      redisUrl: 'redis://127.0.0.1:6379',
      reconcileEveryMs: 60_000,
      lockMs: 30_000,
    });
    expect(c.disclosureThreshold).toBe(5);
    expect(c.auth).toMatchObject({
      ratePerMinute: 3000,
      refusalsPerMinute: 300,
      rateLimited: true,
    });
    expect(c.auth.devSecretFile).toMatch(/\.outcomes-ledger\/dev-jwt-secret$/);
    expect(c.personalData.devKeyFile).toMatch(/\.outcomes-ledger\/dev-pii-master-key$/);
    expect(c.production).toBe(false);
  });

  it('types what is set: numbers, switches, prefixes', () => {
    const c = loadConfig({
      PORT: '8080',
      PROJECTION_BATCH_SIZE: '50',
      PROJECTION_ANALYZE_AFTER: '0',
      FOLLOW_UPS: 'off',
      RETURNS: 'off',
      RATE_LIMIT: 'off',
      FOLLOW_UP_QUEUE_PREFIX: 'fu',
      REBUILD_WORKERS: '3',
      NODE_ENV: 'production',
    });
    expect(c.http.port).toBe(8080);
    expect(c.projections).toEqual({ batchSize: 50, analyzeAfter: 0, rebuildWorkers: 3 });
    expect(c.followUps.enabled).toBe(false);
    expect(c.returns.enabled).toBe(false);
    expect(c.auth.rateLimited).toBe(false);
    // Returns share the follow-ups' prefix unless given their own.
    expect(c.returns.prefix).toBe('fu');
    expect(
      loadConfig({ FOLLOW_UP_QUEUE_PREFIX: 'fu', RETURNS_QUEUE_PREFIX: 'r' }).returns.prefix,
    ).toBe('r');
    expect(c.production).toBe(true);
  });

  it('counts an empty value as unset', () => {
    expect(
      loadConfig({ PROJECTION_BATCH_SIZE: '', DATABASE_SCHEMA: '' }).projections.batchSize,
    ).toBe(500);
    expect(loadConfig({ DATABASE_SCHEMA: '' }).storage.database.schema).toBeUndefined();
  });

  it.each([
    ['PROJECTION_BATCH_SIZE', 'abc', 'PROJECTION_BATCH_SIZE must be a whole number, at least 1'],
    ['PROJECTION_BATCH_SIZE', '0', 'PROJECTION_BATCH_SIZE must be a whole number, at least 1'],
    [
      'PROJECTION_ANALYZE_AFTER',
      '-1',
      'PROJECTION_ANALYZE_AFTER must be a whole number, at least 0',
    ],
    ['PORT', '70000', 'PORT must be a whole number, at least 0, at most 65535'],
    [
      'FOLLOW_UP_SWEEP_EVERY_MS',
      '99',
      'FOLLOW_UP_SWEEP_EVERY_MS must be a whole number of milliseconds, at least 100',
    ],
    [
      'RETURNS_RECONCILE_EVERY_MS',
      '1.5',
      'RETURNS_RECONCILE_EVERY_MS must be a whole number of milliseconds, at least 100',
    ],
    [
      'RETURNS_LOCK_MS',
      '499',
      'RETURNS_LOCK_MS must be a whole number of milliseconds, at least 500',
    ],
    ['RATE_LIMIT_PER_MINUTE', 'lots', 'RATE_LIMIT_PER_MINUTE must be a whole number, at least 1'],
    ['REFUSALS_PER_MINUTE', '0', 'REFUSALS_PER_MINUTE must be a whole number, at least 1'],
    ['DISCLOSURE_THRESHOLD', '1', 'DISCLOSURE_THRESHOLD must be a whole number, at least 2'],
    ['REBUILD_WORKERS', '0', 'REBUILD_WORKERS must be a whole number, at least 1'],
    ['FOLLOW_UPS', 'of', 'FOLLOW_UPS must be one of on, off'],
    ['RETURNS', 'no', 'RETURNS must be one of on, off'],
    ['RATE_LIMIT', 'false', 'RATE_LIMIT must be one of on, off'],
    ['EVENT_STORE', 'mongo', 'EVENT_STORE must be one of postgres, eventstoredb'],
    ['NODE_ENV', 'prod', 'NODE_ENV must be one of production, development, test'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ],
    ['DATABASE_SCHEMA', 'My-Schema', 'DATABASE_SCHEMA must be a lower-case SQL identifier'],
    ['REDIS_URL', '127.0.0.1:6379', 'REDIS_URL must be a redis:// or rediss:// URL'],
  ])('stops on %s=%s, naming the variable and the rule', (name, value, rule) => {
    expect(refusal({ [name]: value })).toContain(rule);
  });

  it('names every variable at fault at once, echoing no secret', () => {
    const message = refusal({
      PROJECTION_BATCH_SIZE: 'abc',
      AUTH_JWT_SECRET: 'short-secret-value',
      EVENT_STORE: 'eventstoredb',
    });
    expect(message).toContain(
      'PROJECTION_BATCH_SIZE must be a whole number, at least 1 (got "abc")',
    );
    expect(message).toContain('AUTH_JWT_SECRET must be at least 32 characters');
    expect(message).toContain(
      'EVENTSTORE_CONNECTION_STRING must be set with EVENT_STORE=eventstoredb',
    );
    expect(message).not.toContain('short-secret-value');
  });

  it('ignores variables it does not know (the environment holds many)', () => {
    expect(loadConfig({ PATH: '/bin', HOME: '/root' }).http.port).toBe(3000);
  });
});
