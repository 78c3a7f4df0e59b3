import { randomUUID } from 'node:crypto';
import { as } from './support/auth';
import { Harness, snapshot, startHarness } from './support/harness';

const noStack = (text: string) => !/\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+/.test(text);

/** Hardening at the HTTP edge: body limits, strict JSON, headers, rate limits, no stack traces. */
describe('HTTP hardening (e2e)', () => {
  let h: Harness;
  const kw = as('keyworker', 'leeds');

  beforeAll(async () => {
    process.env.RATE_LIMIT_PER_MINUTE = '40';
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    delete process.env.RATE_LIMIT_PER_MINUTE;
    await h.close();
  });

  it('answers malformed or non-object JSON with a 400 problem, no stack, nothing stored', async () => {
    const before = await snapshot(h.db);
    for (const raw of ['{"authority": "leeds",', '"just a string"', '42', 'null', '{"a":1}}']) {
      const res = await h.http
        .post('/v1/families')
        .set(as('keyworker', 'leeds', `kw-json-${randomUUID().slice(0, 4)}`))
        .set('content-type', 'application/json')
        .send(raw);
      expect({ raw, status: res.status, type: res.type }).toEqual({
        raw,
        status: 400,
        type: 'application/problem+json',
      });
      expect(res.body.statusCode).toBe(400);
      expect(noStack(res.text)).toBe(true);
    }
    expect(await snapshot(h.db)).toEqual(before);
  });

  it('refuses a body over 1 MB with 413 (2 MB for a batch)', async () => {
    const big = { authority: 'leeds', programme: 'x'.repeat(1_100_000) };
    const res = await h.http
      .post('/v1/families')
      .set(as('keyworker', 'leeds', 'kw-big'))
      .send(big);
    expect(res.status).toBe(413);
    expect(res.body.statusCode).toBe(413);
    expect(noStack(res.text)).toBe(true);
    // The same size is fine for a batch (refused for its content, not its size) …
    const batch = await h.http
      .post('/v1/events/batch')
      .set(as('keyworker', 'leeds', 'kw-big'))
      .send({ events: [{ padding: 'x'.repeat(1_100_000) }] });
    expect(batch.status).toBe(200);
    // … up to 2 MB.
    const tooBig = await h.http
      .post('/v1/events/batch')
      .set(as('keyworker', 'leeds', 'kw-big'))
      .send({ events: [{ padding: 'x'.repeat(2_200_000) }] });
    expect(tooBig.status).toBe(413);
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await h.http.get('/v1/families').set(kw);
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['strict-transport-security']).toMatch(/max-age/);
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('limits each caller, not everyone: 429 with Retry-After', async () => {
    const busy = as('keyworker', 'leeds', 'kw-busy');
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await h.http.get('/v1/families').set(busy)).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await h.http.get('/v1/families').set(busy);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.statusCode).toBe(429);
    // Another caller from the same address is not held back.
    expect((await h.http.get('/v1/families').set(as('keyworker', 'leeds', 'kw-calm'))).status).toBe(
      200,
    );
    expect((await h.http.get('/health')).status).toBe(200);
  });
});
