import { randomUUID } from 'node:crypto';
import { as } from './support/auth';
import { Harness, snapshot, startHarness } from './support/harness';
import { referFamily, referralBody } from './support/stories';

/**
 * What HTTP clients expect of a write API: the family read's `ETag` and `If-Match` on a write
 * (412 when stale), `Idempotency-Key` instead of the event id, `Link: rel="next"` on pages, and
 * errors as RFC 9457 problem details.
 */
describe('HTTP idioms (e2e)', () => {
  let h: Harness;
  const authority = `idiom-${randomUUID().slice(0, 8)}`;
  const worker = () => as('keyworker', authority);

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const referral = (occurredAt = '2025-01-10') => referralBody(authority, {}, { occurredAt });
  // Read models caught up, so a snapshot taken next sees only what the test's requests change.
  const refer = () => referFamily(h, worker(), referral());
  const offered = { type: 'InterventionOffered', occurredAt: '2025-01-12', data: {} };
  const accepted = { type: 'InterventionAccepted', occurredAt: '2025-01-13', data: {} };
  const record = (familyId: string, body: object, headers: Record<string, string> = {}) =>
    h.http
      .post(`/v1/families/${familyId}/events`)
      .set({ ...worker(), ...headers })
      .send(body);
  const read = async (familyId: string, position: string) => {
    await h.caughtUp(position);
    return h.http.get(`/v1/families/${familyId}`).set(worker()).expect(200);
  };

  it('gives the family read an ETag (its revision) that If-Match takes on the next write', async () => {
    const family = await refer();
    const first = await read(family.familyId, family.position);
    expect(first.headers.etag).toBe('"0"');
    expect(first.body.revision).toBe(0);

    const ok = await record(family.familyId, offered, { 'If-Match': first.headers.etag });
    expect(ok.status).toBe(201);
    expect(ok.body.revision).toBe(1);
    const second = await read(family.familyId, ok.body.position);
    expect(second.headers.etag).toBe('"1"');

    // The tag read before that write is stale now: 412, a problem, and nothing stored.
    await h.caughtUp(ok.body.position);
    const before = await snapshot(h.db);
    const stale = await record(family.familyId, accepted, { 'If-Match': first.headers.etag });
    expect(stale.status).toBe(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stale.body).toMatchObject({
      type: 'about:blank',
      title: 'Precondition Failed',
      status: 412,
      code: 'revision_conflict',
      expectedRevision: 0,
      actualRevision: 1,
      detail: expect.stringContaining('read it again'),
    });
    expect(await snapshot(h.db)).toBe(before);

    // The body's expectedRevision alone keeps the API's 409, as before.
    const body = await record(family.familyId, { ...accepted, expectedRevision: 0 });
    expect(body.status).toBe(409);
    expect(body.body).toMatchObject({ status: 409, code: 'revision_conflict' });

    // `*` is any current revision.
    const any = await record(family.familyId, accepted, { 'If-Match': '*' });
    expect(any.status).toBe(201);
  });

  it('requires If-Match and expectedRevision to agree when both are given', async () => {
    const family = await refer();
    const before = await snapshot(h.db);
    const disagree = await record(
      family.familyId,
      { ...offered, expectedRevision: 0 },
      { 'If-Match': '"5"' },
    );
    expect(disagree.status).toBe(400);
    expect(disagree.body.errors).toEqual([
      expect.objectContaining({ field: 'If-Match', rule: 'matchesExpectedRevision' }),
    ]);
    for (const bad of ['W/"0"', '0', '"0", "1"', '"-1"', '"01"']) {
      const res = await record(family.familyId, offered, { 'If-Match': bad });
      expect({ bad, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({
        bad,
        status: 400,
        field: 'If-Match',
      });
    }
    expect(await snapshot(h.db)).toBe(before);
    const agree = await record(
      family.familyId,
      { ...offered, expectedRevision: 0 },
      { 'If-Match': '"0"' },
    );
    expect(agree.status).toBe(201);
    // Both agreeing on a stale revision: the header's semantics, 412.
    const staleBoth = await record(
      family.familyId,
      { ...accepted, expectedRevision: 0 },
      { 'If-Match': '"0"' },
    );
    expect(staleBoth.status).toBe(412);
  });

  it('takes Idempotency-Key as the event id: a retry stores one event', async () => {
    const family = await refer();
    const key = randomUUID();
    const first = await record(family.familyId, offered, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(first.body.eventId).toBe(key);
    const retry = await record(family.familyId, offered, { 'Idempotency-Key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    // Same key, another event: refused, as the same body id would be.
    const other = await record(family.familyId, accepted, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('duplicate_event_id');
    // A key that is not a UUID names an event of this caller's.
    const opaque = `retry-${randomUUID()}`;
    const a = await record(family.familyId, accepted, { 'Idempotency-Key': opaque });
    const b = await record(family.familyId, accepted, { 'Idempotency-Key': `"${opaque}"` });
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    await h.caughtUp(b.body.position);
    const timeline = await h.http.get(`/v1/families/${family.familyId}/timeline`).set(worker());
    expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual([
      'FamilyReferred',
      'InterventionOffered',
      'InterventionAccepted',
    ]);
  });

  it('refuses an Idempotency-Key that disagrees with the body id, or is not a key', async () => {
    const family = await refer();
    const before = await snapshot(h.db);
    const disagree = await record(
      family.familyId,
      { ...offered, id: randomUUID() },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(disagree.status).toBe(400);
    expect(disagree.body.errors[0]).toMatchObject({ field: 'Idempotency-Key', rule: 'matchesId' });
    for (const bad of ['', '   ', 'x'.repeat(256), 'caf\u00e9']) {
      const res = await record(family.familyId, offered, { 'Idempotency-Key': bad });
      expect({ status: res.status, field: res.body.errors?.[0]?.field }).toEqual({
        status: 400,
        field: 'Idempotency-Key',
      });
    }
    expect(await snapshot(h.db)).toBe(before);
    const id = randomUUID();
    const agree = await record(family.familyId, { ...offered, id }, { 'Idempotency-Key': id });
    expect(agree.status).toBe(201);
    expect(agree.body.eventId).toBe(id);
  });

  it('makes a retried referral with an Idempotency-Key find its family, not make another', async () => {
    const key = `referral-${randomUUID()}`;
    const send = (k: string) =>
      h.http
        .post('/v1/families')
        .set({ ...worker(), 'Idempotency-Key': k })
        .send(referral());
    const first = await send(key);
    expect(first.status).toBe(201);
    const retry = await send(key);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    // Another caller's same key is another referral.
    const other = await h.http
      .post('/v1/families')
      .set({ ...as('keyworker', authority, 'someone-else'), 'Idempotency-Key': key })
      .send(referral());
    expect(other.status).toBe(201);
    expect(other.body.familyId).not.toBe(first.body.familyId);
  });

  it('pages with Link: rel="next" beside nextCursor, and the link leads to the next page', async () => {
    let last = '0';
    for (const day of ['2025-02-01', '2025-02-02', '2025-02-03']) {
      const res = await h.http.post('/v1/families').set(worker()).send(referral(day));
      last = res.body.position;
    }
    await h.caughtUp(last);
    const seen: string[] = [];
    let url: string | undefined = `/v1/families?authority=${authority}&limit=2`;
    let pages = 0;
    while (url) {
      const res = await h.http.get(url).set(worker()).expect(200);
      pages++;
      seen.push(...res.body.items.map((f: { familyId: string }) => f.familyId));
      if (res.body.nextCursor) {
        const link = res.headers.link as string;
        const m = /^<([^>]+)>; rel="next"$/.exec(link);
        expect(m).not.toBeNull();
        const next = new URL(m![1], 'http://x');
        expect(next.pathname).toBe('/v1/families');
        expect(next.searchParams.get('cursor')).toBe(res.body.nextCursor);
        expect(next.searchParams.get('limit')).toBe('2');
        expect(next.searchParams.get('authority')).toBe(authority);
        url = m![1];
      } else {
        expect(res.headers.link).toBeUndefined();
        url = undefined;
      }
    }
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await h.http
      .get('/v1/families')
      .query({ authority, limit: 500 })
      .set(worker())
      .expect(200);
    expect(seen).toEqual(all.body.items.map((f: { familyId: string }) => f.familyId));

    // Any page of the API, not only families': the audit trail (other controller, other cursor).
    const audit = await h.http.get('/v1/audit?limit=1').set(as('admin', null)).expect(200);
    expect(audit.body.nextCursor).toEqual(expect.any(String));
    expect(audit.headers.link).toBe(
      `</v1/audit?limit=1&cursor=${audit.body.nextCursor}>; rel="next"`,
    );
  });

  it('answers every error as application/problem+json (RFC 9457)', async () => {
    for (const [res, status] of [
      [await h.http.get('/v1/families'), 401],
      [await h.http.get(`/v1/families/${randomUUID()}`).set(worker()), 404],
      [await h.http.get('/v1/families/not-a-uuid').set(worker()), 400],
      [await h.http.get('/v1/audit').set(worker()), 403],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
      expect(typeof res.body.detail).toBe('string');
    }
  });
});
