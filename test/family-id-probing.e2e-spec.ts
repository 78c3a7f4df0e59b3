import { randomUUID } from 'node:crypto';
import { familyReference, familyStreamId, systemClock } from '@app/domain';
import { FollowUpEngine, connectRedis, followUpId, followUpRecorder } from '@app/follow-ups';
import { ownFamilyId } from '@app/recording';
import { Redis } from 'ioredis';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { referFamily, referralBody } from './support/stories';

const A = `probe-a-${randomUUID().slice(0, 8)}`;
const B = `probe-b-${randomUUID().slice(0, 8)}`;

interface Answer {
  status: number;
  body: unknown;
}

/**
 * An answer with the id the caller sent written as ID and the values that differ between any two
 * requests (event ids, positions) as their kind: what is left is what a caller could compare.
 */
function shape({ status, body }: Answer, id: string): unknown {
  const text = JSON.stringify(body).replaceAll(id, 'ID');
  const masked = JSON.parse(text, (key: string, value: unknown) =>
    ['eventId', 'position', 'correlationId', 'requestId'].includes(key) ? typeof value : value,
  ) as unknown;
  return { status, body: masked };
}

/**
 * Issue 16, finding 9: a family id another authority holds must answer exactly as an id nobody
 * holds, on every family route, so the id space cannot be probed across authorities. (Before the
 * fix, `POST /v1/families` answered 404 for the foreign id and 201 for the unknown one.)
 */
describe('family ids cannot be probed across authorities (e2e)', () => {
  let h: Harness;
  const managerA = () => as('manager', A);

  /** A family of authority B under a fresh id, caught up in the read models. */
  const familyOfB = async (): Promise<string> => {
    const familyId = randomUUID();
    const res = await h.http
      .post('/v1/families')
      .set(as('manager', B))
      .send(referralBody(B, { familyId }));
    expect(res.status).toBe(201);
    await h.caughtUp(res.body.position);
    return familyId;
  };

  /** Every family route, as a manager of A (who holds every family permission) would call it. */
  const routes: Record<string, (id: string) => Promise<Answer>> = {
    'GET /v1/families/:familyId': (id) => h.http.get(`/v1/families/${id}`).set(managerA()),
    'GET /v1/families/:familyId/timeline': (id) =>
      h.http.get(`/v1/families/${id}/timeline`).set(managerA()),
    'POST /v1/families/:familyId/events': (id) =>
      h.http
        .post(`/v1/families/${id}/events`)
        .set(managerA())
        .send({
          type: 'ConsentRecorded',
          occurredAt: '2025-02-01',
          data: { purpose: 'evaluation' },
        }),
    'POST /v1/events/batch': (id) =>
      h.http
        .post('/v1/events/batch')
        .set(managerA())
        .send({
          events: [
            {
              familyId: id,
              type: 'ConsentRecorded',
              occurredAt: '2025-02-01',
              data: { purpose: 'evaluation' },
            },
          ],
        }),
    'POST /v1/families/:familyId/transfer': (id) =>
      h.http.post(`/v1/families/${id}/transfer`).set(managerA()).send({ toAuthority: B }),
    'POST /v1/families/:familyId/erasure': (id) =>
      h.http.post(`/v1/families/${id}/erasure`).set(managerA()),
    // The routes that start a family: an unknown id is referred, so a foreign one must be too.
    'POST /v1/families': (id) =>
      h.http
        .post('/v1/families')
        .set(managerA())
        .send(referralBody(A, { familyId: id })),
    'POST /v1/families/:familyId/events (a referral)': (id) =>
      h.http
        .post(`/v1/families/${id}/events`)
        .set(managerA())
        .send({
          type: 'FamilyReferred',
          occurredAt: '2025-01-10',
          data: { authority: A, programme: 'fip', source: 'police', reasons: ['asb'] },
        }),
    'POST /v1/events/batch (a referral)': (id) =>
      h.http
        .post('/v1/events/batch')
        .set(managerA())
        .send({
          events: [
            {
              familyId: id,
              type: 'FamilyReferred',
              occurredAt: '2025-01-10',
              data: { authority: A, programme: 'fip', source: 'police', reasons: ['asb'] },
            },
          ],
        }),
  };

  let redis: Redis;
  let engine: FollowUpEngine;
  const prefix = `probe-fu-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    h = await startHarness();
    redis = connectRedis();
    engine = new FollowUpEngine({
      db: h.db,
      recorder: followUpRecorder(h.store, systemClock),
      clock: systemClock,
      redis,
      prefix,
    });
  });
  afterAll(async () => {
    await engine.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await h.close();
  });

  /** Records `events` on `familyId` as a manager of `authority` and waits for the read models. */
  const record = async (authority: string, familyId: string, events: [string, string][]) => {
    for (const [type, occurredAt] of events) {
      const res = await h.http
        .post(`/v1/families/${familyId}/events`)
        .set(as('manager', authority))
        .send({ type, occurredAt, data: type === 'FamilyExited' ? { exitType: 'planned' } : {} });
      expect(res.status).toBe(201);
      await h.caughtUp(res.body.position);
    }
  };
  const exit: [string, string][] = [
    ['InterventionOffered', '2025-01-20'],
    ['InterventionAccepted', '2025-01-25'],
    ['FamilyExited', '2025-03-01'],
  ];
  /** The follow-up sweep, then the read models caught up with what it recorded. */
  const swept = async () => {
    await engine.sweep(new Date());
    const [{ p }] = (await h.db.query('SELECT coalesce(max(position), 0) AS p FROM events')) as {
      p: string;
    }[];
    await h.caughtUp(p);
  };

  it.each(Object.keys(routes))('%s answers a foreign id as an unknown one', async (route) => {
    const foreign = await familyOfB();
    const before = await h.store.readStream(familyStreamId(foreign));
    const unknown = randomUUID();
    const seen = shape(await routes[route](foreign), foreign);
    const absent = shape(await routes[route](unknown), unknown);
    expect({ route, ...(seen as object) }).toEqual({ route, ...(absent as object) });
    // B's family is untouched, whatever A's request did.
    expect(await h.store.readStream(familyStreamId(foreign))).toEqual(before);
    const own = await h.http.get(`/v1/families/${foreign}`).set(as('manager', B));
    expect({ status: own.status, authority: own.body.authority }).toEqual({
      status: 200,
      authority: B,
    });
  });

  it("keeps A's family under a foreign id apart from B's, each named by the id its client chose", async () => {
    const shared = await familyOfB();
    const referred = await routes['POST /v1/families'](shared);
    expect(referred.status).toBe(201);
    const { familyId, position } = referred.body as { familyId: string; position: string };
    expect(familyId).toBe(shared);
    await h.caughtUp(position);
    // Stored under A's own id for it, which keeps the id A's client knows it by.
    const [own] = await h.store.readStream(familyStreamId(ownFamilyId(A, shared)));
    expect(own).toMatchObject({ type: 'FamilyReferred', metadata: { clientFamilyId: shared } });

    for (const [authority, worker] of [
      [A, 'kw-a'],
      [B, 'kw-b'],
    ]) {
      const headers = as('manager', authority);
      const recorded = await h.http
        .post(`/v1/families/${shared}/events`)
        .set(headers)
        .send({ type: 'KeyWorkerAssigned', occurredAt: '2025-02-01', data: { workerId: worker } });
      expect(recorded.status).toBe(201);
      await h.caughtUp(recorded.body.position);
    }
    for (const [authority, worker] of [
      [A, 'kw-a'],
      [B, 'kw-b'],
    ]) {
      const headers = as('manager', authority);
      const family = await h.http.get(`/v1/families/${shared}`).set(headers);
      expect(family.status).toBe(200);
      expect(family.body).toMatchObject({ familyId: shared, authority, keyWorker: worker });
      const timeline = await h.http.get(`/v1/families/${shared}/timeline`).set(headers);
      expect(timeline.status).toBe(200);
      expect(timeline.body.familyId).toBe(shared);
      expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual([
        'FamilyReferred',
        'KeyWorkerAssigned',
      ]);
      // Its list (the caseload too) names it by that id, never by an id the client did not give.
      for (const query of [{}, { keyWorker: worker }]) {
        const list = await h.http.get('/v1/families').query(query).set(headers);
        const ids = list.body.items.map((f: { familyId: string }) => f.familyId);
        expect(ids).toContain(shared);
        expect(ids).not.toContain(ownFamilyId(A, shared));
      }
    }
  });

  it('lets a family transferred in be reached by the receiving authority under its id', async () => {
    const moved = await familyOfB();
    const transferred = await h.http
      .post(`/v1/families/${moved}/transfer`)
      .set(as('manager', B))
      .send({ toAuthority: A, occurredAt: '2025-03-01' });
    expect(transferred.status).toBe(201);
    await h.caughtUp(transferred.body.position);
    const family = await h.http.get(`/v1/families/${moved}`).set(managerA());
    expect(family.status).toBe(200);
    expect(family.body).toMatchObject({ familyId: moved, authority: A });
    const gone = await h.http.get(`/v1/families/${moved}`).set(as('manager', B));
    expect(gone.status).toBe(404);
  });

  it.each([
    ['has no revisit of its own', false],
    ['has a revisit of its own', true],
  ])(
    "names A's revisits of a family under a foreign id by the client's id (B's family %s), and acts on them by it",
    async (_, bExited) => {
      const shared = await familyOfB();
      if (bExited) await record(B, shared, exit);
      await referFamily(h, managerA(), referralBody(A, { familyId: shared }));
      await record(A, shared, exit);
      await swept();
      const stored = ownFamilyId(A, shared);
      const before = await h.store.readStream(familyStreamId(shared));

      const list = await h.http.get('/v1/follow-ups').query({ authority: A }).set(managerA());
      expect(list.status).toBe(200);
      const mine = list.body.items.filter((i: { episode: number; familyId: string }) =>
        [shared, stored].includes(i.familyId),
      );
      expect(mine).toEqual([
        expect.objectContaining({
          familyId: shared,
          followUpId: followUpId(shared, 1),
          familyReference: familyReference(shared),
          authority: A,
        }),
      ]);
      const csv = await h.http
        .get('/v1/follow-ups')
        .query({ authority: A })
        .set({ ...managerA(), Accept: 'text/csv' });
      expect(csv.text).toContain(shared);
      expect(csv.text).not.toContain(stored);
      expect(csv.text).not.toContain(followUpId(stored, 1));

      // The id the list showed is the one A acts by; B's family is untouched.
      const assigned = await h.http
        .post(`/v1/follow-ups/${followUpId(shared, 1)}/assign`)
        .set(managerA())
        .send({ worker: 'kw-a' });
      expect(assigned.status).toBe(201);
      expect(assigned.body.followUpId).toBe(followUpId(shared, 1));
      await h.caughtUp(assigned.body.position);
      expect(await h.store.readStream(familyStreamId(shared))).toEqual(before);
      const [own] = (await h.store.readStream(familyStreamId(stored))).slice(-1);
      expect(own).toMatchObject({ type: 'FollowUpAssigned' });
      // B sees and acts on its own revisit only (none, if its family has not exited).
      const ofB = await h.http
        .post(`/v1/follow-ups/${followUpId(shared, 1)}/assign`)
        .set(as('manager', B))
        .send({ worker: 'kw-b' });
      expect(ofB.status).toBe(bExited ? 201 : 404);
    },
  );

  it("ends a families-list page on A's family under a foreign id with a cursor naming it by the client's id", async () => {
    const C = `probe-c-${randomUUID().slice(0, 8)}`;
    const shared = await familyOfB();
    const older = await referFamily(h, as('manager', C), referralBody(C));
    // Newer, so first in the list.
    await referFamily(
      h,
      as('manager', C),
      referralBody(C, { familyId: shared }, { occurredAt: '2025-02-10' }),
    );
    const first = await h.http.get('/v1/families').query({ limit: 1 }).set(as('manager', C));
    expect(first.status).toBe(200);
    expect(first.body.items.map((f: { familyId: string }) => f.familyId)).toEqual([shared]);
    const cursor = Buffer.from(first.body.nextCursor as string, 'base64url').toString();
    expect(cursor).toContain(shared);
    expect(cursor).not.toContain(ownFamilyId(C, shared));
    const second = await h.http
      .get('/v1/families')
      .query({ limit: 1, cursor: first.body.nextCursor })
      .set(as('manager', C));
    expect(second.status).toBe(200);
    expect(second.body.items.map((f: { familyId: string }) => f.familyId)).toEqual([
      older.familyId,
    ]);
    expect(second.body.nextCursor).toBeNull();
  });
});
