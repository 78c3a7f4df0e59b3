import { randomUUID } from 'node:crypto';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { referralBody } from './support/stories';

/**
 * Free text is personal data: a name a worker types into a reason is sealed with the family's key
 * like members' details, served to the family's own callers, and unreadable after erasure.
 */
describe('free text (e2e)', () => {
  let h: Harness;
  const A = `text-a-${randomUUID().slice(0, 8)}`;
  const B = `text-b-${randomUUID().slice(0, 8)}`;
  const kw = as('keyworker', A);
  const manager = as('manager', A);
  // A distinct name per field, so each field is checked on its own.
  const NAMES = {
    LeadWorkerChanged: 'Zebedee Quartermaine',
    FamilyExited: 'Philippa Oddbody',
    InterventionRefused: 'Barnaby Wolstenholme',
    FamilyTransferred: 'Ottoline Fairweather',
  };
  let first: string;
  let second: string;

  /** Every table of the schema, as text (what a pg_dump would hold). */
  const dump = async () => {
    const tables = (await h.db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
    )) as { tablename: string }[];
    const parts = await Promise.all(
      tables.map(async ({ tablename }) =>
        JSON.stringify(await h.db.query(`SELECT * FROM "${tablename}" t`)),
      ),
    );
    return parts.join('\n');
  };
  const post = async (familyId: string, type: string, occurredAt: string, data = {}) => {
    const res = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(kw)
      .send({ type, occurredAt, data });
    expect(res.status).toBe(201);
    return res.body.position as string;
  };
  const refer = async () => {
    const res = await h.http.post('/v1/families').set(kw).send(referralBody(A));
    expect(res.status).toBe(201);
    return res.body.familyId as string;
  };
  const timeline = async (familyId: string, caller = kw) => {
    const res = await h.http.get(`/v1/families/${familyId}/timeline`).set(caller);
    expect(res.status).toBe(200);
    return JSON.stringify(res.body);
  };

  beforeAll(async () => {
    h = await startHarness();
    first = await refer();
    await post(first, 'InterventionOffered', '2025-01-12');
    await post(first, 'InterventionAccepted', '2025-01-14');
    await post(first, 'KeyWorkerAssigned', '2025-01-15', { workerId: 'kw-1' });
    await post(first, 'LeadWorkerChanged', '2025-01-20', {
      workerId: 'kw-2',
      reason: `${NAMES.LeadWorkerChanged} asked for a change`,
    });
    await post(first, 'FamilyExited', '2025-03-01', {
      exitType: 'disengaged',
      reason: `${NAMES.FamilyExited} moved in with the family`,
    });
    second = await refer();
    await post(second, 'InterventionOffered', '2025-01-12');
    await post(second, 'InterventionRefused', '2025-01-13', {
      stage: 'offer',
      reason: `${NAMES.InterventionRefused} refused on the doorstep`,
    });
    const moved = await h.http
      .post(`/v1/families/${second}/transfer`)
      .set(manager)
      .send({ toAuthority: B, reason: `${NAMES.FamilyTransferred} lives in ${B} now` });
    expect(moved.status).toBe(201);
    await h.caughtUp(await h.store.lastPosition());
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores no free text in clear, in the log or any read model', async () => {
    const everything = await dump();
    for (const name of Object.values(NAMES)) expect(everything).not.toContain(name);
  });

  it("serves it to the family's own callers", async () => {
    const own = await timeline(first);
    expect(own).toContain(NAMES.LeadWorkerChanged);
    expect(own).toContain(NAMES.FamilyExited);
    const moved = await timeline(second, as('keyworker', B));
    expect(moved).toContain(NAMES.InterventionRefused);
    expect(moved).toContain(NAMES.FamilyTransferred);
  });

  it('makes it unreadable after erasure, everywhere', async () => {
    for (const [familyId, caller] of [
      [first, manager],
      [second, as('manager', B)],
    ] as const) {
      const erased = await h.http.post(`/v1/families/${familyId}/erasure`).set(caller);
      expect(erased.status).toBeLessThan(300);
    }
    await h.caughtUp(await h.store.lastPosition());
    const own = await timeline(first);
    const moved = await timeline(second, as('keyworker', B));
    for (const name of Object.values(NAMES)) {
      expect(own).not.toContain(name);
      expect(moved).not.toContain(name);
    }
    expect(own).toContain('"reason":{"erased":true}');
    expect(moved).toContain('"reason":{"erased":true}');
    const everything = await dump();
    for (const name of Object.values(NAMES)) expect(everything).not.toContain(name);
  });
});
