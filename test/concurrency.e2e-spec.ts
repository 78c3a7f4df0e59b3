import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { Harness, startHarness } from './support/harness';
import { referralBody } from './support/stories';
import { as } from './support/auth';

/**
 * 20 writers record into one family at once, each with the revision it last saw. Conflicts are
 * answered with the actual revision and the writer tries again: no event may be lost or stored twice.
 */
describe('parallel writers to one family (e2e)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('loses and duplicates nothing', async () => {
    const writers = 20;
    const perWriter = 5;
    const { body: family } = await h.http
      .post('/v1/families')
      .set(as('keyworker', 'derbyshire'))
      .send(referralBody('derbyshire'));
    let conflicts = 0;

    const writer = async (w: number) => {
      let expectedRevision = 0;
      for (let j = 0; j < perWriter; j++) {
        const id = randomUUID();
        for (;;) {
          const res = await h.http
            .post(`/v1/families/${family.familyId}/events`)
            .set(as('keyworker', 'derbyshire'))
            .send({
              id,
              type: 'SupportDelivered',
              occurredAt: '2025-02-01',
              // Each write tagged by its hours (support types are a code list).
              data: { supportType: 'other', hours: 1 + w * perWriter + j },
              expectedRevision,
            });
          if (res.status === 201) {
            expectedRevision = res.body.revision;
            break;
          }
          expect(res.status).toBe(409);
          expect(res.body.code).toBe('revision_conflict');
          conflicts++;
          expectedRevision = res.body.actualRevision;
        }
      }
    };
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));

    const stream = await h.store.readStream(familyStreamId(family.familyId));
    expect(stream).toHaveLength(1 + writers * perWriter);
    expect(stream.map((e) => Number(e.revision))).toEqual(stream.map((_, i) => i));
    const tags = stream.slice(1).map((e) => (e.data as { hours: number }).hours);
    const expected = Array.from({ length: writers * perWriter }, (_, i) => 1 + i);
    expect([...tags].sort((a, b) => a - b)).toEqual(expected);
    // The test only proves something if writers really collided.
    expect(conflicts).toBeGreaterThan(0);
  }, 60_000); // 100 contended writes: slow on a loaded shared machine, not wrong
});
