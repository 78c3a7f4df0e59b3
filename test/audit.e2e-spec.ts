import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { AuditRecord } from '@app/security';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { referFamily, referralBody } from './support/stories';

// What GET /v1/audit answers: the trail's records as JSON.
type Line = AuditRecord;

/** The audit trail: a line for every read and write, readable by admins, never rewritten. */
describe('audit trail (e2e)', () => {
  let h: Harness;
  const A = `audit-a-${randomUUID().slice(0, 8)}`;
  const B = `audit-b-${randomUUID().slice(0, 8)}`;
  const kw = as('keyworker', A, 'kw-audit-1');
  const admin = as('admin', null, 'admin-1');
  let familyId: string;

  const trail = async (query: Record<string, string | number>) => {
    const res = await h.http.get('/v1/audit').query(query).set(admin);
    expect(res.status).toBe(200);
    return res.body as { items: Line[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    h = await startHarness({ projections: true });
    ({ familyId } = await referFamily(
      h,
      { ...kw, 'x-correlation-id': 'corr-refer-1' },
      referralBody(A),
    ));
  });
  afterAll(async () => {
    await h.close();
  });

  it('writes a line for a write, with the correlation id the event carries', async () => {
    const { items } = await trail({ familyId });
    const write = items.find((l) => l.method === 'POST');
    expect(write).toMatchObject({
      subject: 'kw-audit-1',
      role: 'keyworker',
      authority: A,
      via: 'token',
      route: '/v1/families',
      familyIds: [familyId],
      status: 201,
      correlationId: 'corr-refer-1',
    });
    const [event] = await h.store.readStream(familyStreamId(familyId));
    expect(event.metadata).toMatchObject({ actor: 'kw-audit-1', correlationId: 'corr-refer-1' });
  });

  it('writes a line for every family-level read, and for refusals and misses', async () => {
    const before = (await trail({ familyId })).items.length;
    expect((await h.http.get(`/v1/families/${familyId}`).set(kw)).status).toBe(200);
    expect((await h.http.get(`/v1/families/${familyId}/timeline`).set(kw)).status).toBe(200);
    expect((await h.http.get(`/v1/families/${familyId}`).set(as('keyworker', B))).status).toBe(404);
    const listed = await h.http.get('/v1/families').set(kw);
    expect(listed.status).toBe(200);
    const { items } = await trail({ familyId });
    expect(items.length).toBe(before + 4);
    expect(items.slice(0, 4).map((l) => [l.method, l.route, l.authority, l.status])).toEqual([
      ['GET', '/v1/families', A, 200],
      ['GET', '/v1/families/:familyId', B, 404],
      ['GET', '/v1/families/:familyId/timeline', A, 200],
      ['GET', '/v1/families/:familyId', A, 200],
    ]);
    const refused = await h.http.get('/v1/audit').set(kw);
    expect(refused.status).toBe(403);
    const mine = await trail({ subject: 'kw-audit-1', limit: 1 });
    expect(mine.items[0]).toMatchObject({ route: '/v1/audit', status: 403 });
  });

  it('pages newest first by keyset, and filters by time', async () => {
    const all = await trail({ subject: 'kw-audit-1', limit: 500 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Line[]; nextCursor: string | null } = await trail({
        subject: 'kw-audit-1',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((l) => l.id));
    expect(seen.length).toBe(5); // refer, read, timeline, list, refused
    expect([...seen].sort((x, y) => Number(y) - Number(x))).toEqual(seen);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await trail({ from: tomorrow })).items).toEqual([]);
    expect((await trail({ subject: 'kw-audit-1', to: tomorrow })).items.length).toBe(seen.length);
    const bad = await h.http.get('/v1/audit').query({ familyId: 'nope' }).set(admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('familyId');
  });

  it('cannot be updated, deleted or truncated', async () => {
    const count = async () =>
      Number((await h.db.query('SELECT count(*) AS n FROM audit_log'))[0].n);
    const n = await count();
    for (const sql of [
      `UPDATE audit_log SET subject = 'someone-else'`,
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
    ]) {
      await expect(h.db.query(sql)).rejects.toThrow(/append-only/);
    }
    expect(await count()).toBe(n);
    const rows = await h.db.query(
      `SELECT count(*) AS n FROM audit_log WHERE subject = 'someone-else'`,
    );
    expect(Number(rows[0].n)).toBe(0);
  });

  it("shows an admin of an authority its own callers' lines only", async () => {
    const read = async (caller: Record<string, string>, query: Record<string, string> = {}) => {
      const res = await h.http
        .get('/v1/audit')
        .query({ limit: 500, ...query })
        .set(caller);
      expect(res.status).toBe(200);
      return (res.body as { items: Line[] }).items;
    };
    const ofB = await read(as('admin', B, 'admin-b'));
    // B's key worker probing A's family (404) is B's to see; A's lines and national ones are not.
    expect(ofB.length).toBeGreaterThan(0);
    expect(new Set(ofB.map((l) => l.authority))).toEqual(new Set([B]));
    const aboutA = await read(as('admin', B, 'admin-b'), { familyId });
    expect(aboutA.map((l) => [l.authority, l.status])).toEqual([[B, 404]]);
    expect(await read(as('admin', B, 'admin-b'), { subject: 'kw-audit-1' })).toEqual([]);
    const ofA = await read(as('admin', A, 'admin-a'));
    expect(ofA.some((l) => l.subject === 'kw-audit-1')).toBe(true);
    expect(ofA.every((l) => l.authority === A)).toBe(true);
    // A national admin still reads everyone's, and may narrow to one authority.
    const national = await read(admin, { authority: B });
    expect(national.length).toBeGreaterThan(0);
    expect(national.every((l) => l.authority === B)).toBe(true);
    expect((await read(admin)).some((l) => l.authority === null)).toBe(true);
  });
});
