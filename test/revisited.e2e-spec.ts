import { randomUUID } from 'node:crypto';
import { familyStreamId, systemClock } from '@app/domain';
import { connectRedis, followUpRecorder, runFollowUpTick } from '@app/follow-ups';
import { COHORT_KINDS } from '@app/outcomes';
import { generateFamilies, toNewEvents } from '@app/workload';
import { Redis } from 'ioredis';
import { Harness, startHarness } from './support/harness';
import { as } from './support/auth';

const YEAR = 365 * 86_400_000;

/**
 * One answer to "was this family revisited?" over the demo generator's data, run as `outcomes
 * demo` runs it (append, catch up, the operator's follow-up tick as at now): for every cohort the
 * outcomes table's one-year-on n is the number of completed revisits, and no family holding a
 * one-year-on assessment is on the list as overdue.
 */
describe('revisited, one rule (e2e, demo generator)', () => {
  let h: Harness;
  let redis: Redis;
  const run = randomUUID().slice(0, 8);
  const seeds = [7, 11, 13];
  const authorityOf = (seed: number) => `rv-${run}-${seed}`;
  /** Per seed, the families whose stream holds a one-year-on assessment of any form. */
  const assessedOneYearOn = new Map<number, Set<string>>();

  beforeAll(async () => {
    h = await startHarness();
    redis = connectRedis();
    const to = new Date();
    let last = 0n;
    for (const seed of seeds) {
      const families = generateFamilies({
        seed,
        families: 250,
        authorities: [authorityOf(seed)],
        from: new Date(to.getTime() - 3 * YEAR).toISOString(),
        to: to.toISOString(),
      });
      assessedOneYearOn.set(
        seed,
        new Set(
          families
            .filter((f) =>
              f.events.some(
                ({ event }) =>
                  event.type === 'FollowUpCompleted' ||
                  (event.type === 'DomainAssessmentRecorded' && event.data.stage === 'follow_up'),
              ),
            )
            .map((f) => f.familyId),
        ),
      );
      for (const family of families) {
        const r = await h.store.append(familyStreamId(family.familyId), toNewEvents(family), {
          expectedRevision: 'no_stream',
        });
        if (r.position > last) last = r.position;
      }
    }
    await h.caughtUp(last);
    // The demo's tick: schedules every qualifying exit, raises what is due (Redis for due jobs).
    await runFollowUpTick(
      {
        db: h.db,
        recorder: followUpRecorder(h.store, systemClock),
        redis,
        prefix: `rv-${run}`,
      },
      to,
    );
    const [{ p }] = (await h.db.query(
      'SELECT coalesce(max(position), 0)::text AS p FROM events',
    )) as { p: string }[];
    await h.caughtUp(p);
  }, 240_000);
  afterAll(async () => {
    const keys = await redis.keys(`rv-${run}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await h.close();
  });

  const all = async (authority: string, query: Record<string, string>) => {
    const items: { familyId: string; exitType: string }[] = [];
    let cursor: string | undefined;
    do {
      const r = await h.http
        .get('/v1/follow-ups')
        .set(as('manager', authority))
        .query({ ...query, authority, limit: '500', ...(cursor ? { cursor } : {}) });
      expect(r.status).toBe(200);
      items.push(...r.body.items);
      cursor = r.body.nextCursor ?? undefined;
    } while (cursor);
    return items;
  };

  it.each(seeds)(
    'seed %i: every cohort counts one year on exactly the completed revisits',
    async (seed) => {
      const authority = authorityOf(seed);
      const completed = await all(authority, { status: 'completed' });
      expect(completed.length).toBeGreaterThan(3);
      // Revisits go to planned exits, which are in every cohort (accepted and exited).
      expect(completed.every((c) => c.exitType === 'planned')).toBe(true);
      for (const cohort of COHORT_KINDS) {
        const r = await h.http
          .get('/v1/outcomes')
          .set(as('manager', authority))
          .query({ authority, cohort });
        expect(r.status).toBe(200);
        const table = (
          r.body.cohorts as {
            kind: string;
            revisited: number;
            domains: { oneYearOn: { n: number } | null }[];
          }[]
        ).find((c) => c.kind === cohort)!;
        expect({ cohort, revisited: table.revisited }).toEqual({
          cohort,
          revisited: completed.length,
        });
        // One year on is the panel of families revisited (and assessed then).
        for (const d of table.domains) {
          expect(d.oneYearOn?.n ?? 0).toBeLessThanOrEqual(completed.length);
        }
      }
      const summary = await h.http
        .get('/v1/cohorts/summary')
        .set(as('manager', authority))
        .query({ authority });
      expect(summary.body.followUps.completed).toBe(completed.length);
      expect(new Set(completed.map((c) => c.familyId))).toEqual(assessedOneYearOn.get(seed));
    },
  );

  it.each(seeds)(
    'seed %i: no family with a one-year-on assessment is listed overdue',
    async (seed) => {
      const overdue = await all(authorityOf(seed), { status: 'overdue' });
      expect(overdue.length).toBeGreaterThan(0);
      const assessed = assessedOneYearOn.get(seed)!;
      expect(assessed.size).toBeGreaterThan(3);
      expect(overdue.filter((o) => assessed.has(o.familyId))).toEqual([]);
    },
  );
});
