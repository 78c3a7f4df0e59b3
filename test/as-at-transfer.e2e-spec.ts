import { randomUUID } from 'node:crypto';
import { Harness, startHarness } from './support/harness';
import { as } from './support/auth';
import { plannedExitFamily } from './support/stories';

const DAY = 86_400_000;

/**
 * An answer "as at" an instant counts a family where it was then: a family transferred since
 * still counts for the authority that held it at that instant, and not (yet) for the one it went
 * to. (The live answer follows the transfer.)
 */
describe('as at, across a transfer (e2e)', () => {
  let h: Harness;
  const from = `from-${randomUUID().slice(0, 8)}`;
  const to = `to-${randomUUID().slice(0, 8)}`;
  let beforeTransfer: string;

  const outcomes = async (authority: string, asAt?: string) => {
    const r = await h.http
      .get('/v1/outcomes')
      .set(as('manager', authority))
      .query({ authority, ...(asAt ? { asAt } : {}) });
    expect(r.status).toBe(200);
    const body = r.body as { cohorts: { kind: string; families: number }[] };
    return body.cohorts.find((c) => c.kind === 'planned_exits')!;
  };
  const summary = async (authority: string, asAt?: string) => {
    const r = await h.http
      .get('/v1/cohorts/summary')
      .set(as('manager', authority))
      .query({ authority, ...(asAt ? { asAt } : {}) });
    expect(r.status).toBe(200);
    return r.body as { referred: number };
  };

  beforeAll(async () => {
    h = await startHarness();
    const familyId = await plannedExitFamily(h, as('manager', from), from, Date.now() - 30 * DAY);
    beforeTransfer = new Date().toISOString();
    while (Date.now() <= Date.parse(beforeTransfer)) await new Promise((r) => setImmediate(r));
    const moved = await h.http
      .post(`/v1/families/${familyId}/transfer`)
      .set(as('manager', from))
      .send({ toAuthority: to });
    expect(moved.status).toBe(201);
    await h.caughtUp(moved.body.position);
  }, 60_000);
  afterAll(() => h.close());

  it('moves the family in the live answer', async () => {
    expect(await outcomes(from)).toMatchObject({ families: 0 });
    expect(await outcomes(to)).toMatchObject({ families: 1 });
  });

  it('counts it, as at before the transfer, for the authority that held it then', async () => {
    expect(await outcomes(from, beforeTransfer)).toMatchObject({ families: 1 });
    expect(await summary(from, beforeTransfer)).toMatchObject({ referred: 1 });
  });

  it('does not count it, as at before the transfer, for the authority it went to', async () => {
    expect(await outcomes(to, beforeTransfer)).toMatchObject({ families: 0 });
    expect(await summary(to, beforeTransfer)).toMatchObject({ referred: 0 });
  });
});
