import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { followUpId } from '@app/follow-ups';
import { GRANTS, ROLES } from '@app/security';
import { RouteInfo, routesOf } from '../apps/api/src/auth/routes';
import { as } from './support/auth';
import { Harness, snapshot, startHarness } from './support/harness';
import { recordEvents, referFamily, referralBody, toAppend } from './support/stories';

const A = `iso-a-${randomUUID().slice(0, 8)}`;
const B = `iso-b-${randomUUID().slice(0, 8)}`;
const day = (d: number) => new Date(Date.UTC(2025, 0, 10 + d)).toISOString();

/**
 * A valid request body for each route that takes one, so that a refusal proves scoping and not
 * validation. A family-scoped route added later without a sample here fails the test with 400.
 */
const bodies = (familyId: string): Record<string, unknown> => ({
  'POST /v1/families': referralBody(A, { familyId }, { occurredAt: day(400) }),
  'POST /v1/families/:familyId/events': {
    type: 'ConsentRecorded',
    occurredAt: day(300),
    data: { purpose: 'evaluation' },
  },
  'POST /v1/families/:familyId/transfer': { toAuthority: B },
  'POST /v1/events/batch': {
    events: [
      { familyId, type: 'ConsentRecorded', occurredAt: day(300), data: { purpose: 'evaluation' } },
    ],
  },
  'POST /v1/follow-ups/:followUpId/assign': { worker: 'kw-9' },
  'POST /v1/returns': { authority: A, periodStart: '2025-01-01', periodEnd: '2025-12-31' },
  'POST /v1/follow-ups/:followUpId/complete': { educationProblems: false },
  'POST /v1/follow-ups/:followUpId/missed': { reason: 'uncontactable' },
});

/**
 * Authority isolation over every route (enumerated from the running app): a user of authority B,
 * in every role that may call the route, tries authority A's family and its follow-up. Each gets
 * exactly what a family that does not exist would get, lists and aggregates never mention A's
 * records, and nothing in the event store or the read models changes.
 */
describe('authority isolation (e2e)', () => {
  let h: Harness;
  let routes: RouteInfo[];
  let familyId: string;
  let followUp: string;

  const send = (route: RouteInfo, url: string, body: unknown, headers: Record<string, string>) => {
    const req =
      route.method === 'GET'
        ? h.http.get(url)
        : route.method === 'DELETE'
          ? h.http.delete(url)
          : h.http[route.method.toLowerCase() as 'post' | 'put' | 'patch'](url).send(
              (body ?? {}) as object,
            );
    return req.set(headers);
  };
  const urlFor = (route: RouteInfo, family: string, fu: string) =>
    route.path
      .replace(':familyId', family)
      .replace(':followUpId', fu)
      .replace(/:[A-Za-z]+/g, () => randomUUID());

  beforeAll(async () => {
    h = await startHarness();
    routes = routesOf(h.app).filter((r) => !r.isPublic);
    const manager = as('manager', A);
    ({ familyId } = await referFamily(h, manager, referralBody(A, {}, { occurredAt: day(0) })));
    await recordEvents(h, manager, familyId, [
      { type: 'InterventionOffered', occurredAt: day(5) },
      { type: 'InterventionAccepted', occurredAt: day(10) },
      { type: 'FamilyExited', occurredAt: day(200), data: { exitType: 'planned' } },
    ]);
    // The revisit, as the scheduler would record it.
    const scheduled = await h.store.append(
      familyStreamId(familyId),
      toAppend(
        [
          {
            type: 'FollowUpScheduled',
            data: {
              occurredAt: day(201),
              episode: 1,
              dueAt: day(565),
              windowOpensAt: day(537),
              windowClosesAt: day(593),
              overdueAt: day(593),
              policyVersion: 1,
            },
          },
        ],
        { authority: A },
      ),
      { expectedRevision: 3n },
    );
    followUp = followUpId(familyId, 1);
    await h.caughtUp(scheduled.position);
  });
  afterAll(async () => {
    await h.close();
  });

  it("lets authority A's own manager reach the family (the ids are real)", async () => {
    const manager = as('manager', A);
    expect((await h.http.get(`/v1/families/${familyId}`).set(manager)).status).toBe(200);
    expect((await h.http.get(`/v1/families/${familyId}/timeline`).set(manager)).status).toBe(200);
    const list = await h.http.get('/v1/follow-ups').set(manager);
    expect(list.body.items.map((i: { followUpId: string }) => i.followUpId)).toContain(followUp);
  });

  it("gives every role of authority B nothing of A's family, on every route", async () => {
    const before = await snapshot(h.db);
    const samples = bodies(familyId);
    let tried = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const scoped = /:familyId|:followUpId/.test(route.path);
      for (const role of ROLES) {
        if (!GRANTS[role].includes(route.permission!)) continue;
        if (role === 'evaluator' || role === 'admin') continue; // national roles: aggregates only
        const headers = as(role, B);
        const res = await send(route, urlFor(route, familyId, followUp), samples[key], headers);
        tried++;
        const seen = {
          key,
          role,
          status: res.status,
          ...(route.method !== 'GET' && !(key in samples)
            ? { hint: 'add a valid sample body for this route in bodies()' }
            : {}),
        };
        const text = JSON.stringify(res.body);
        if (scoped) {
          // Exactly the answer for a family or follow-up that does not exist.
          const [otherFamily, otherFollowUp] = [randomUUID(), randomUUID()];
          const absent = await send(
            route,
            urlFor(route, otherFamily, otherFollowUp),
            samples[key],
            headers,
          );
          expect(seen).toEqual({ ...seen, status: 404 });
          expect(text.replaceAll(familyId, 'ID').replaceAll(followUp, 'ID')).toEqual(
            JSON.stringify(absent.body)
              .replaceAll(otherFamily, 'ID')
              .replaceAll(otherFollowUp, 'ID'),
          );
        } else {
          expect(seen.status).toBeLessThan(500);
          if (res.status === 200 && key === 'POST /v1/events/batch') {
            expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([404]);
          } else if (route.method === 'POST') {
            // Referring into A's family id or authority, or A's return, from B: refused.
            expect(seen.status === 403 || seen.status === 404 ? 'refused' : seen).toBe('refused');
          }
        }
        expect({ key, role, leaks: text.includes(A) }).toEqual({
          key,
          role,
          leaks: false,
        });
        // Only an echo of the id the caller sent, in a not-found answer, may name the family
        // (the batch's per-item 404 was checked above).
        const named = text.includes(familyId) || text.includes(followUp);
        if (!named || key === 'POST /v1/events/batch') continue;
        expect({ key, role, status: res.status }).toEqual({ key, role, status: 404 });
      }
    }
    expect(tried).toBeGreaterThanOrEqual(20);
    expect(await snapshot(h.db)).toEqual(before);
    // Every route, every role: more than the default 5 s on a loaded machine.
  }, 30_000);

  it('refuses a B user who asks for A by name in a filter', async () => {
    for (const url of ['/v1/families', '/v1/follow-ups', '/v1/outcomes', '/v1/cohorts/summary']) {
      const res = await h.http.get(url).query({ authority: A }).set(as('keyworker', B));
      expect({ url, status: res.status, code: res.body.code }).toEqual({
        url,
        status: 403,
        code: 'outside_authority',
      });
    }
  });

  it('refuses a referral into another authority', async () => {
    const before = await snapshot(h.db);
    const res = await h.http
      .post('/v1/families')
      .set(as('keyworker', B))
      .send(referralBody(A, {}, { occurredAt: day(0) }));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('outside_authority');
    expect(await snapshot(h.db)).toEqual(before);
  });

  // Last: it moves the family for good.
  it('hands the family over on a transfer by its manager; the old authority loses it', async () => {
    const transfer = (headers: Record<string, string>, body: object = { toAuthority: B }) =>
      h.http.post(`/v1/families/${familyId}/transfer`).set(headers).send(body);
    expect((await transfer(as('keyworker', A))).status).toBe(403);
    const sneaky = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(as('keyworker', A))
      .send({
        type: 'FamilyTransferred',
        occurredAt: day(250),
        data: { fromAuthority: A, toAuthority: B },
      });
    expect(sneaky.status).toBe(400);
    expect((await transfer(as('manager', A), { toAuthority: A })).status).toBe(400);

    const done = await transfer(as('manager', A), { toAuthority: B, occurredAt: day(250) });
    expect(done.status).toBe(201);
    await h.caughtUp(done.body.position);

    const [oldKw, newKw] = [as('keyworker', A), as('keyworker', B)];
    expect((await h.http.get(`/v1/families/${familyId}`).set(oldKw)).status).toBe(404);
    const owned = await h.http.get(`/v1/families/${familyId}`).set(newKw);
    expect(owned.status).toBe(200);
    expect(owned.body.authority).toBe(B);
    const ids = async (headers: Record<string, string>) =>
      (await h.http.get('/v1/follow-ups').set(headers)).body.items.map(
        (i: { followUpId: string }) => i.followUpId,
      );
    expect(await ids(oldKw)).not.toContain(followUp);
    expect(await ids(newKw)).toContain(followUp);
    const outcomes = async (headers: Record<string, string>) =>
      (await h.http.get('/v1/cohorts/summary').set(headers)).body.referred;
    expect(await outcomes(oldKw)).toBe(0);
    expect(await outcomes(newKw)).toBe(1);
    const recorded = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(newKw)
      .send({ type: 'ConsentRecorded', occurredAt: day(260), data: { purpose: 'evaluation' } });
    expect(recorded.status).toBe(201);
    const stale = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(oldKw)
      .send({ type: 'ConsentRecorded', occurredAt: day(260), data: { purpose: 'evaluation' } });
    expect(stale.status).toBe(404);
    await h.caughtUp(recorded.body.position);
    const timeline = await h.http.get(`/v1/families/${familyId}/timeline`).set(newKw);
    expect(timeline.body.events.map((e: { type: string }) => e.type)).toContain(
      'FamilyTransferred',
    );
  });
});
