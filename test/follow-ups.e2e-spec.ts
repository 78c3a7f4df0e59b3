import { randomUUID } from 'node:crypto';
import { systemClock } from '@app/domain';
import { FollowUpEngine, connectRedis, followUpId, followUpRecorder } from '@app/follow-ups';
import { Redis } from 'ioredis';
import { Harness, snapshot, startHarness } from './support/harness';
import { as } from './support/auth';

/** The follow-up working list over HTTP: list, assign, complete, miss, and the errors. */
describe('follow-ups API (e2e)', () => {
  let h: Harness;
  let redis: Redis;
  let engine: FollowUpEngine;
  const authority = `auth-${randomUUID().slice(0, 8)}`;
  const prefix = `fu-e2e-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];

  /** A family with a planned exit `daysAgo` days ago (occurredAt back-dated, recorded now). */
  const exitedDaysAgo = async (daysAgo: number) => {
    const at = (days: number) => new Date(Date.now() - (daysAgo + days) * 86_400_000).toISOString();
    const referred = await h.http
      .post('/v1/families')
      .set(as('manager', authority))
      .send({
        authority,
        programme: 'fip',
        referral: { source: 'police', reasons: ['asb'], occurredAt: at(300) },
      });
    const familyId = referred.body.familyId as string;
    for (const [type, days, data] of [
      ['InterventionOffered', 290, {}],
      ['InterventionAccepted', 280, {}],
      ['FamilyExited', 0, { exitType: 'planned' }],
    ] as const) {
      const r = await h.http
        .post(`/v1/families/${familyId}/events`)
        .set(as('manager', authority))
        .send({ type, occurredAt: at(days), data });
      expect(r.status).toBe(201);
    }
    return familyId;
  };

  /** Waits for every event committed so far (see the fixture on `headPosition()`). */
  const caughtUpAll = async () =>
    h.caughtUp(
      (
        (await h.db.query('SELECT coalesce(max(position), 0) AS p FROM events')) as { p: string }[]
      )[0].p,
    );

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
    engine.startWorkers();
    // Due ten days ago (due), due 65 days ago (overdue: past the 4-week window), due in 10 months.
    for (const days of [375, 430, 60]) ids.push(followUpId(await exitedDaysAgo(days), 1));
    await caughtUpAll();
    await engine.sweep(new Date());
    await caughtUpAll();
    // The two back-dated exits fall due at once.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await h.http
        .get('/v1/follow-ups')
        .set(as('manager', authority))
        .query({ authority, status: 'due' });
      if (r.body.items.some((i: { followUpId: string }) => i.followUpId === ids[0])) break;
      if (Date.now() > deadline) throw new Error('revisits did not fall due');
      await new Promise((res) => setTimeout(res, 25));
    }
  }, 20_000);
  afterAll(async () => {
    await engine.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await h.close();
  });

  it('lists by due date, with the status as at now', async () => {
    const all = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ authority });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { followUpId: string }) => i.followUpId)).toEqual([
      ids[1],
      ids[0],
      ids[2],
    ]);
    // Past the window (± 4 weeks): overdue; FollowUpDue recorded: due; not yet: scheduled.
    expect(all.body.items.map((i: { status: string }) => i.status)).toEqual([
      'overdue',
      'due',
      'scheduled',
    ]);
    const overdue = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ authority, status: 'overdue' });
    expect(overdue.body.items.map((i: { followUpId: string }) => i.followUpId)).toEqual([ids[1]]);
    const page = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ authority, limit: 2 });
    const next = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ authority, limit: 2, cursor: page.body.nextCursor });
    expect(
      [...page.body.items, ...next.body.items].map((i: { followUpId: string }) => i.followUpId),
    ).toEqual(ids.length === 3 ? [ids[1], ids[0], ids[2]] : []);
    expect(next.body.nextCursor).toBeNull();
  });

  it('assigns, completes, and refuses a miss after completion (409)', async () => {
    const assigned = await h.http
      .post(`/v1/follow-ups/${ids[0]}/assign`)
      .set(as('manager', authority))
      .send({ worker: 'kw-3' });
    expect(assigned.status).toBe(201);
    const completed = await h.http
      .post(`/v1/follow-ups/${ids[0]}/complete`)
      .set(as('manager', authority))
      .send({ asbTypes: [], educationProblems: false, evidenceSources: ['school'] });
    expect(completed.status).toBe(201);
    await h.caughtUp(completed.body.position);
    const list = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ authority, status: 'completed' });
    expect(list.body.items).toEqual([
      expect.objectContaining({
        followUpId: ids[0],
        assignedWorker: 'kw-3',
        completedOnTime: true,
      }),
    ]);
    const missed = await h.http
      .post(`/v1/follow-ups/${ids[0]}/missed`)
      .set(as('manager', authority))
      .send({ reason: 'declined' });
    expect(missed.status).toBe(409);
    expect(missed.body).toMatchObject({
      code: 'invariant_violated',
      rule: 'follow-up-resolved-once',
    });
  });

  it('records a missed revisit with its reason', async () => {
    const missed = await h.http
      .post(`/v1/follow-ups/${ids[1]}/missed`)
      .set(as('manager', authority))
      .send({ reason: 'uncontactable' });
    expect(missed.status).toBe(201);
    await h.caughtUp(missed.body.position);
    const list = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ authority, status: 'missed' });
    expect(list.body.items).toEqual([
      expect.objectContaining({ followUpId: ids[1], missedReason: 'uncontactable' }),
    ]);
  });

  it('answers 404, 400 and changes nothing', async () => {
    const before = await snapshot(h.db);
    const unknown = await h.http
      .post(`/v1/follow-ups/${randomUUID()}/missed`)
      .set(as('manager', authority))
      .send({ reason: 'declined' });
    expect(unknown.status).toBe(404);
    const badReason = await h.http
      .post(`/v1/follow-ups/${ids[2]}/missed`)
      .set(as('manager', authority))
      .send({ reason: 'bored' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.errors).toEqual([
      expect.objectContaining({ field: 'reason', rule: 'isIn' }),
    ]);
    const stage = await h.http
      .post(`/v1/follow-ups/${ids[2]}/complete`)
      .set(as('manager', authority))
      .send({ stage: 'exit', asbTypes: [] });
    expect(stage.status).toBe(400);
    expect(stage.body.errors).toEqual([
      expect.objectContaining({ field: 'stage', rule: 'unknown-field' }),
    ]);
    const badWorker = await h.http
      .post(`/v1/follow-ups/${ids[2]}/assign`)
      .set(as('manager', authority))
      .send({ worker: 'Jane Smith' });
    expect(badWorker.status).toBe(400);
    const badStatus = await h.http
      .get('/v1/follow-ups')
      .set(as('manager', authority))
      .query({ status: 'late' });
    expect(badStatus.status).toBe(400);
    const notUuid = await h.http
      .post('/v1/follow-ups/nope/assign')
      .set(as('manager', authority))
      .send({ worker: 'kw-1' });
    expect(notUuid.status).toBe(400);
    expect(await snapshot(h.db)).toBe(before);
  });
});
