import { randomUUID } from 'node:crypto';
import { Harness, startHarness } from './support/harness';
import { as } from './support/auth';
import { plannedExitFamily } from './support/stories';

const DAY = 86_400_000;

/**
 * Issue 15 item 7: a family that withdrew consent to evaluation leaves the evaluator's figures
 * (and each says how many it left out) from the withdrawal's position on; an answer as at an
 * earlier time still counts it; key workers and managers still see the family in their lists;
 * consent given again brings it back.
 */
describe('consent to evaluation (e2e)', () => {
  let h: Harness;
  const authority = `cn-${randomUUID().slice(0, 8)}`;
  const worker = `kw-${randomUUID().slice(0, 8)}`;
  const manager = () => as('manager', authority);
  const families: string[] = [];
  let beforeWithdrawal: string;

  const post = async (familyId: string, type: string, occurredAt: number, data: object) => {
    const r = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(manager())
      .send({ type, occurredAt: new Date(occurredAt).toISOString(), data });
    expect(r.status).toBe(201);
    return r.body as { position: string };
  };

  /** A family through to a planned exit, with `worker` as its key worker. */
  const family = () =>
    plannedExitFamily(h, manager(), authority, Date.now() - 30 * DAY, { keyWorker: worker });

  const outcomes = async (query: Record<string, string> = {}) => {
    const r = await h.http
      .get('/v1/outcomes')
      .set(manager())
      .query({ authority, ...query });
    expect(r.status).toBe(200);
    const kind = query.cohort ?? 'planned_exits';
    // Every cohort of the answer and its attrition line say how many the rule left out.
    const body = r.body as {
      cohorts: { kind: string; families: number; excludedForConsent: number }[];
      attrition: { excludedForConsent: number };
    };
    const all = body.cohorts.find((c) => c.kind === 'all_started')!;
    expect(body.attrition.excludedForConsent).toBe(all.excludedForConsent);
    return body.cohorts.find((c) => c.kind === kind)!;
  };
  const summary = async () => {
    const r = await h.http.get('/v1/cohorts/summary').set(manager()).query({ authority });
    expect(r.status).toBe(200);
    return r.body as { referred: number; excludedForConsent: number; accounting: object };
  };
  const caseload = async () => {
    const r = await h.http.get('/v1/families').set(manager()).query({ keyWorker: worker });
    expect(r.status).toBe(200);
    return (r.body.items as { familyId: string }[]).map((f) => f.familyId).sort();
  };

  beforeAll(async () => {
    h = await startHarness();
    families.push(await family(), await family());
  }, 60_000);
  afterAll(() => h.close());

  it('refuses a purpose that is not a listed code, naming the field and the codes', async () => {
    const r = await h.http
      .post(`/v1/families/${families[0]}/events`)
      .set(manager())
      .send({
        type: 'ConsentWithdrawn',
        occurredAt: new Date().toISOString(),
        data: { purpose: 'research' },
      });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/purpose/);
    expect(JSON.stringify(r.body)).toMatch(/evaluation/);
  });

  it('drops a withdrawn family from the evaluator counts, says so, and keeps it in the lists', async () => {
    expect(await outcomes()).toMatchObject({ families: 2, excludedForConsent: 0 });
    expect(await summary()).toMatchObject({ referred: 2, excludedForConsent: 0 });
    expect(await caseload()).toEqual([...families].sort());

    beforeWithdrawal = new Date().toISOString();
    // Matched case-insensitively to the listed code.
    const { position } = await post(families[0], 'ConsentWithdrawn', Date.now() - DAY, {
      purpose: 'Evaluation',
    });
    await h.caughtUp(position);

    expect(await outcomes()).toMatchObject({ families: 1, excludedForConsent: 1 });
    // Not by whole months: the episode rows rather than the rollup give the same.
    expect(await outcomes({ referredFrom: '2000-01-15' })).toMatchObject({
      families: 1,
      excludedForConsent: 1,
    });
    expect(await outcomes({ cohort: 'all_started' })).toMatchObject({
      families: 1,
      excludedForConsent: 1,
    });
    const s = await summary();
    expect(s).toMatchObject({ referred: 1, excludedForConsent: 1 });
    expect(s.accounting).toMatchObject({ plannedExits: 1 });
    const csv = await h.http
      .get('/v1/outcomes')
      .set(manager())
      .set('accept', 'text/csv')
      .query({ authority });
    const [header, first] = csv.text.split('\n').map((l) => l.split(','));
    expect(first[header.indexOf('excluded_for_consent')]).toBe('1');

    // An evaluator (disclosure control always on) is told too, as a perturbed count: 1 is a
    // small count, published as 0 or 5 (never 1 to 4), the same in the cohort and the line.
    const evaluator = await h.http
      .get('/v1/outcomes')
      .set(as('evaluator', null))
      .query({ authority });
    expect(evaluator.status).toBe(200);
    const shown = evaluator.body.cohorts[0].excludedForConsent;
    expect([0, 5]).toContain(shown);
    expect(evaluator.body.attrition).toHaveProperty('excludedForConsent', shown);
    expect(evaluator.body.disclosure.perturbation).toMatchObject({ method: 'cell-key' });

    // The key worker's and the manager's lists still hold the family.
    expect(await caseload()).toEqual([...families].sort());
    const one = await h.http.get(`/v1/families/${families[0]}`).set(manager());
    expect(one.status).toBe(200);
  });

  it('still counts the family in an answer as at a time before the withdrawal was recorded', async () => {
    expect(await outcomes({ asAt: beforeWithdrawal })).toMatchObject({
      families: 2,
      excludedForConsent: 0,
    });
  });

  it('leaves evaluation figures alone for a data-sharing withdrawal, and counts again once consent is given', async () => {
    const shared = await post(families[1], 'ConsentWithdrawn', Date.now() - DAY, {
      purpose: 'data_sharing',
    });
    await h.caughtUp(shared.position);
    expect(await outcomes()).toMatchObject({ families: 1, excludedForConsent: 1 });
    const given = await post(families[0], 'ConsentRecorded', Date.now() - 1000, {
      purpose: 'evaluation',
    });
    await h.caughtUp(given.position);
    expect(await outcomes()).toMatchObject({ families: 2, excludedForConsent: 0 });
    expect(await summary()).toMatchObject({ referred: 2, excludedForConsent: 0 });
  });
});
