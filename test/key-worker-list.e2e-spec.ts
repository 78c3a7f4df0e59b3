import { randomUUID } from 'node:crypto';
import { FamilyEvent, familyReference, systemClock } from '@app/domain';
import {
  DEFAULT_FOLLOW_UP_POLICY,
  followUpEventId,
  followUpId,
  followUpRecorder,
  scheduleFor,
} from '@app/follow-ups';
import { Harness, snapshot, startHarness } from './support/harness';
import { as } from './support/auth';
import { plannedExitFamily } from './support/stories';

const DAY = 86_400_000;

interface Item {
  followUpId: string;
  familyId: string;
  familyReference: string;
  keyWorker: string | null;
  assignedWorker: string | null;
  dueAt: string;
  window: { opensAt: string; closesAt: string };
  overdueAt: string;
  status: string;
  daysOverdue: number | null;
}

/**
 * A key worker's working list: "my revisits" by assigned and by key worker (kept by
 * KeyWorkerAssigned and LeadWorkerChanged), with a family reference and days overdue, as JSON and
 * CSV; a caseload; the one way to record a one-year-on assessment; revisit figures as at a date.
 */
describe('the key worker list (e2e)', () => {
  let h: Harness;
  const authority = `kw-${randomUUID().slice(0, 8)}`;
  const other = `kw-${randomUUID().slice(0, 8)}`;
  const manager = () => as('manager', authority);
  let startedAt: string;
  let a: string; // key worker kw-a, then kw-b (LeadWorkerChanged); overdue
  let b: string; // key worker kw-b; scheduled, not due
  let c: string; // key worker kw-c; revisit assigned to kw-b; overdue

  /** A family with a planned exit `daysAgo` days ago and its revisit scheduled by the domain. */
  const family = async (daysAgo: number, keyWorkers: string[]) => {
    const exit = Date.now() - daysAgo * DAY;
    const familyId = await plannedExitFamily(h, manager(), authority, exit, {
      keyWorker: keyWorkers[0],
      before: keyWorkers.slice(1).map((workerId) => ({
        type: 'LeadWorkerChanged',
        occurredAt: new Date(exit - 100 * DAY).toISOString(),
        data: { workerId, reason: 'caseload' },
      })),
    });
    // What the sweep records, through the same write path (load, decide, append).
    const exitedAt = new Date(exit).toISOString();
    const event: FamilyEvent = {
      type: 'FollowUpScheduled',
      data: {
        occurredAt: exitedAt,
        episode: 1,
        ...scheduleFor(DEFAULT_FOLLOW_UP_POLICY, exitedAt),
      },
    };
    const id = followUpId(familyId, 1);
    const recorded = (await followUpRecorder(h.store, systemClock).record(
      familyId,
      event,
      followUpEventId(id, 'scheduled'),
    )) as { position: string };
    await h.caughtUp(recorded.position);
    return familyId;
  };

  const list = async (query: Record<string, string>, headers = manager()) => {
    const r = await h.http.get('/v1/follow-ups').set(headers).query(query);
    expect(r.status).toBe(200);
    return r.body.items as Item[];
  };

  beforeAll(async () => {
    h = await startHarness();
    startedAt = new Date().toISOString();
    a = await family(430, ['kw-a', 'kw-b']);
    b = await family(100, ['kw-b']);
    c = await family(420, ['kw-c']);
    const assigned = await h.http
      .post(`/v1/follow-ups/${followUpId(c, 1)}/assign`)
      .set(manager())
      .send({ worker: 'kw-b' });
    expect(assigned.status).toBe(201);
    await h.caughtUp(assigned.body.position);
  }, 60_000);
  afterAll(() => h.close());

  it('keeps the key worker by KeyWorkerAssigned and LeadWorkerChanged', async () => {
    const r = await h.http.get(`/v1/families/${a}`).set(manager());
    expect(r.body.keyWorker).toBe('kw-b');
    const caseload = await h.http.get('/v1/families').set(manager()).query({ keyWorker: 'kw-b' });
    expect(caseload.status).toBe(200);
    expect(caseload.body.items.map((f: { familyId: string }) => f.familyId).sort()).toEqual(
      [a, b].sort(),
    );
    const old = await h.http.get('/v1/families').set(manager()).query({ keyWorker: 'kw-a' });
    expect(old.body.items).toEqual([]);
  });

  it("lists a key worker's revisits by due date, with reference, workers and days overdue", async () => {
    const now = Date.now();
    const items = await list({ keyWorker: 'kw-b' });
    expect(items.map((i) => i.familyId)).toEqual([a, b]);
    const [first, second] = items;
    expect(first).toMatchObject({
      followUpId: followUpId(a, 1),
      familyReference: familyReference(a),
      keyWorker: 'kw-b',
      assignedWorker: null,
      status: 'overdue',
    });
    expect(first.familyReference).toMatch(/^F-[0-9A-F]{4}-[0-9A-F]{4}$/);
    // 430 days since the exit: due at 12 months, overdue four weeks later.
    const expected = Math.floor((now - Date.parse(first.overdueAt)) / DAY);
    expect([expected, expected - 1]).toContain(first.daysOverdue);
    expect(first.daysOverdue).toBeGreaterThan(30);
    expect(first.window.opensAt < first.dueAt && first.dueAt < first.window.closesAt).toBe(true);
    expect(second).toMatchObject({ status: 'scheduled', daysOverdue: null, keyWorker: 'kw-b' });
    expect(await list({ keyWorker: 'kw-a' })).toEqual([]);
  });

  it('filters by assigned worker, status, due dates, and together', async () => {
    const mine = await list({ assignedWorker: 'kw-b' });
    expect(mine.map((i) => [i.familyId, i.keyWorker, i.assignedWorker])).toEqual([
      [c, 'kw-c', 'kw-b'],
    ]);
    expect(await list({ assignedWorker: 'kw-b', keyWorker: 'kw-b' })).toEqual([]);
    expect((await list({ keyWorker: 'kw-b', status: 'overdue' })).map((i) => i.familyId)).toEqual([
      a,
    ]);
    const dueTo = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
    expect((await list({ keyWorker: 'kw-b', dueTo })).map((i) => i.familyId)).toEqual([a]);
    const dueFrom = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
    expect((await list({ keyWorker: 'kw-b', dueFrom })).map((i) => i.familyId)).toEqual([b]);
  });

  it('gives the list as CSV with days overdue', async () => {
    const r = await h.http
      .get('/v1/follow-ups')
      .set({ ...manager(), accept: 'text/csv' })
      .query({ keyWorker: 'kw-b' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = r.text.trim().split('\n');
    const columns = header.split(',');
    expect(columns.slice(0, 10)).toEqual([
      'follow_up_id',
      'family_id',
      'family_reference',
      'key_worker',
      'assigned_worker',
      'status',
      'due_at',
      'window_opens_at',
      'window_closes_at',
      'days_overdue',
    ]);
    const json = await list({ keyWorker: 'kw-b' });
    expect(rows.map((row) => row.split(','))).toEqual(
      json.map((i) =>
        expect.arrayContaining([
          i.followUpId,
          i.familyReference,
          'kw-b',
          i.status,
          i.dueAt,
          i.daysOverdue === null ? '' : String(i.daysOverdue),
        ]),
      ),
    );
    const days = rows.map((row) => row.split(',')[columns.indexOf('days_overdue')]);
    expect(days).toEqual([String(json[0].daysOverdue), '']);
    const assigned = await h.http
      .get('/v1/follow-ups')
      .set({ ...manager(), accept: 'text/csv' })
      .query({ assignedWorker: 'kw-b' });
    expect(assigned.text.trim().split('\n')).toHaveLength(2);
  });

  it("shows another authority's workers nothing, whatever it asks", async () => {
    const outsider = as('manager', other);
    expect(await list({ keyWorker: 'kw-b' }, outsider)).toEqual([]);
    expect(await list({ assignedWorker: 'kw-b' }, outsider)).toEqual([]);
    const asked = await h.http
      .get('/v1/follow-ups')
      .set(outsider)
      .query({ keyWorker: 'kw-b', authority });
    expect(asked.status === 403 || (asked.status === 200 && asked.body.items.length === 0)).toBe(
      true,
    );
    const caseload = await h.http.get('/v1/families').set(outsider).query({ keyWorker: 'kw-b' });
    expect(caseload.body.items ?? []).toEqual([]);
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    for (const field of ['keyWorker', 'assignedWorker']) {
      const r = await h.http
        .get('/v1/follow-ups')
        .set(manager())
        .query({ [field]: 'Jane Smith' });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([expect.objectContaining({ field })]);
    }
    const r = await h.http.get('/v1/families').set(manager()).query({ keyWorker: '=cmd()' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'keyWorker' })]);
  });

  it('completes a revisit only with an assessment, and only through the revisit', async () => {
    const before = await snapshot(h.db);
    const empty = await h.http
      .post(`/v1/follow-ups/${followUpId(a, 1)}/complete`)
      .set(manager())
      .send({});
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([
      expect.objectContaining({ field: 'assessment', rule: 'at-least-one-domain' }),
    ]);
    const evidenceOnly = await h.http
      .post(`/v1/follow-ups/${followUpId(a, 1)}/complete`)
      .set(manager())
      .send({ evidenceSources: ['school'] });
    expect(evidenceOnly.status).toBe(400);
    const bare = await h.http
      .post(`/v1/families/${a}/events`)
      .set(manager())
      .send({
        type: 'DomainAssessmentRecorded',
        occurredAt: new Date().toISOString(),
        data: { stage: 'follow_up', asbTypes: [] },
      });
    expect(bare.status).toBe(400);
    expect(bare.body.errors).toEqual([
      expect.objectContaining({ field: 'stage', rule: 'one-year-on-through-revisit' }),
    ]);
    expect(JSON.stringify(bare.body)).toContain('/v1/follow-ups/{followUpId}/complete');
    expect(await snapshot(h.db)).toBe(before);
  });

  it('gives the revisit figures as they stood at asAt', async () => {
    const summary = async (asAt?: string) => {
      const r = await h.http
        .get('/v1/cohorts/summary')
        .set(manager())
        .query({ authority, ...(asAt ? { asAt } : {}) });
      expect(r.status).toBe(200);
      return r.body as { referred: number; followUps: Record<string, number> };
    };
    const now = await summary();
    expect(now.referred).toBe(3);
    expect(now.followUps).toMatchObject({ scheduled: 3, overdue: 2 });
    // Before any of these families was recorded: no families, no revisits.
    const before = await summary(new Date(Date.parse(startedAt) - 1000).toISOString());
    expect(before.referred).toBe(0);
    expect(before.followUps).toMatchObject({ scheduled: 0, overdue: 0, completed: 0 });
    // Once done, the revisit counts from then on, not before.
    const beforeDone = new Date(Date.now() - 1).toISOString();
    const done = await h.http
      .post(`/v1/follow-ups/${followUpId(a, 1)}/complete`)
      .set(manager())
      .send({ asbTypes: [], domesticViolence: false });
    expect(done.status).toBe(201);
    await h.caughtUp(done.body.position);
    expect((await summary()).followUps).toMatchObject({ completed: 1, overdue: 1 });
    expect((await summary(beforeDone)).followUps).toMatchObject({ completed: 0, overdue: 2 });
  });
});
