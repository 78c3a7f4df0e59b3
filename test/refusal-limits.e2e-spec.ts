import { randomUUID } from 'node:crypto';
import { AuditRecord } from '@app/security';
import { RefusalLimiter } from '../apps/api/src/auth/refusals';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';

/**
 * Limits in front of authentication: refused requests (no or bad credentials by address, a
 * missing permission by subject) have a small budget a minute, then get 429 without the work a
 * refusal costs (a key lookup, an audit line each).
 */
describe('refused requests are limited before authentication (e2e)', () => {
  let h: Harness;
  const BUDGET = 10;
  const A = `refusals-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    process.env.REFUSALS_PER_MINUTE = String(BUDGET);
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    delete process.env.REFUSALS_PER_MINUTE;
    await h?.close();
  });

  const statuses = async (n: number, send: () => Promise<{ status: number }>) => {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) seen.push((await send()).status);
    return seen;
  };

  it("answers a key worker's repeated forbidden calls 429 after the budget, with one audit line for the burst", async () => {
    const kw = as('keyworker', A, 'kw-refused-1');
    const seen = await statuses(3 * BUDGET, () => h.http.get('/v1/audit').set(kw));
    expect(seen).toEqual([...Array(BUDGET).fill(403), ...Array(2 * BUDGET).fill(429)]);
    await h.app.get(RefusalLimiter).flush(true);
    const res = await h.http
      .get('/v1/audit')
      .query({ subject: 'kw-refused-1', limit: 500 })
      .set(as('admin', null));
    const lines = res.body.items as AuditRecord[];
    expect(lines.filter((l) => l.status === 403)).toHaveLength(BUDGET);
    expect(lines.filter((l) => l.status === 429).map((l) => l.targetIds)).toEqual([
      [`limited:${2 * BUDGET}`],
    ]);
    expect(lines).toHaveLength(BUDGET + 1);
  });

  const key = () => `olk_${randomUUID().replace(/-/g, '')}${'x'.repeat(11)}`;

  it('looks an unknown API key up once, then refuses it from memory', async () => {
    const lookups: string[] = [];
    const query = h.db.query.bind(h.db);
    const spy = jest.spyOn(h.db, 'query').mockImplementation((sql: string, ...rest: unknown[]) => {
      if (sql.includes('FROM api_keys')) lookups.push(sql);
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    });
    try {
      const unknown = key();
      const seen = await statuses(3, () => h.http.get('/v1/families').set('x-api-key', unknown));
      expect(seen).toEqual([401, 401, 401]);
      expect(lookups).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers an address that keeps failing authentication 429, keys and all, without looking them up', async () => {
    const left = BUDGET - 3; // the unknown key above spent three
    const none = await statuses(left + BUDGET, () => h.http.get('/v1/families'));
    expect(none).toEqual([...Array(left).fill(401), ...Array(BUDGET).fill(429)]);
    const keys = await statuses(BUDGET, () => h.http.get('/v1/families').set('x-api-key', key()));
    expect(keys).toEqual(Array(BUDGET).fill(429));
    const limited = await h.http.get('/v1/families');
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    // A caller with a good token from the same address is still served (the token costs no lookup).
    expect((await h.http.get('/v1/families').set(as('keyworker', A))).status).toBe(200);
  });
});
