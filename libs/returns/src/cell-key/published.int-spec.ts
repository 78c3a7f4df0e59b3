/**
 * The published forms of the cohort summary and the revisit rates (what evaluators see, through
 * cell-key perturbation) are the plain forms when each cell is published as its true count, and
 * their totals are the sums of their published places whatever the publisher does.
 */
import { createDataSource, eventStoreMigrations, migrate } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { FollowUpRow, followUpRates } from '@app/follow-ups';
import { EpisodeSource, KeyedCount, cohortSummary, loadDefinitions } from '@app/outcomes';
import { FILTERS, SEEDS, randomEpisodes } from '@app/outcomes/read-model/testing/random-episodes';
import { readModelMigrations } from '@app/read-models';
import { seeded } from '@app/workload';
import { DataSource } from 'typeorm';
import { recordKeySql } from './record-key';

const definitions = loadDefinitions();
const keys = recordKeySql('cell-key-secret-for-tests-0123');
const truth = (c: KeyedCount) => c.count;
/** Any publisher: never 1 to 4, keyed, so the sums are checked against something else than truth. */
const odd = (c: KeyedCount) => (c.count === 0 ? 0 : Math.max(5, c.count + (c.key % 7) - 3));

describe('published summary and revisit rates', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  beforeAll(async () => {
    schema = await createTestSchema('cell_key_published');
    db = createDataSource(schema.config, [...eventStoreMigrations, ...readModelMigrations]);
    await migrate(db);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  it('gives the plain summary when every cell is its true count; its places make referred', async () => {
    for (const seed of SEEDS) {
      const episodes = randomEpisodes(definitions, seed);
      const source: EpisodeSource = { kind: 'rows', episodes };
      for (const filter of FILTERS) {
        const plain = await cohortSummary(db, filter, source);
        const a = plain.accounting;
        const places =
          a.awaitingOffer +
          a.awaitingDecision +
          a.refused.total +
          a.ongoing +
          a.plannedExits +
          a.otherExits.total;
        const round = (v: number | null, places: number) =>
          v === null ? null : Math.round(v * 10 ** places) / 10 ** places;
        const i = plain.inputs;
        const w = i.weeklyContactHours;
        expect(await cohortSummary(db, filter, source, { keys, publish: truth })).toEqual({
          ...plain,
          // The generator also makes episodes the decider would refuse (in no place).
          referred: places,
          // Published, means and medians are rounded: whole days, tenths of an hour.
          inputs: {
            ...i,
            daysToPlannedExit: {
              ...i.daysToPlannedExit,
              mean: round(i.daysToPlannedExit.mean, 0),
              median: round(i.daysToPlannedExit.median, 0),
            },
            weeklyContactHours: {
              supportPlanToFirstReview: {
                ...w.supportPlanToFirstReview,
                mean: round(w.supportPlanToFirstReview.mean, 1),
              },
              lastReviewToExit: { ...w.lastReviewToExit, mean: round(w.lastReviewToExit.mean, 1) },
            },
          },
        });
        const shown = await cohortSummary(db, filter, source, { keys, publish: odd });
        const s = shown.accounting;
        expect(shown.referred).toBe(
          s.awaitingOffer +
            s.awaitingDecision +
            s.refused.total +
            s.ongoing +
            s.plannedExits +
            s.otherExits.total,
        );
        expect(shown.inputs.daysToPlannedExit.n).toBe(s.plannedExits);
        expect(
          [shown.referred, shown.offered, shown.movedArea].every((n) => n === 0 || n >= 5),
        ).toBe(true);
      }
    }
  });

  it('gives the plain revisit rates when every cell is its true count; completed is its parts', async () => {
    const r = seeded('published-rates');
    const DAY = 86_400_000;
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const at = (d: number) => new Date(base + d * DAY).toISOString();
    const statuses = ['none', 'scheduled', 'due', 'completed', 'missed', 'cancelled'] as const;
    const rows: FollowUpRow[] = Array.from({ length: 300 }, (_, k) => {
      const status = r.pick(statuses);
      return {
        follow_up_id: r.uuid(),
        family_id: r.uuid(),
        episode: 1,
        authority: r.pick(['prop-a', 'prop-b']),
        programme: 'fip',
        exit_type: 'planned',
        exited_at: at(r.int(100)),
        status,
        policy_version: 1,
        due_at: at(100 + r.int(100)),
        window_opens_at: null,
        window_closes_at: null,
        overdue_at: r.chance(0.8) ? at(150 + r.int(100)) : null,
        due_recorded_at: null,
        assigned_worker: null,
        completed_at: status === 'completed' ? at(200) : null,
        completed_on_time: status === 'completed' ? r.pick([true, false, null]) : null,
        completion_assessment: null,
        missed_at: null,
        missed_reason: null,
        cancelled_at: null,
        cancelled_reason: null,
        re_referred_at: null,
        position: String(k),
      };
    });
    const source = { kind: 'rows' as const, rows, referrals: [] };
    for (const cohort of [{}, { authority: 'prop-a' }, { exitedFrom: at(50) }]) {
      const when = new Date(at(200));
      const plain = await followUpRates(db, cohort, when, source);
      expect(await followUpRates(db, cohort, when, source, { keys, publish: truth })).toEqual(
        plain,
      );
      const shown = await followUpRates(db, cohort, when, source, { keys, publish: odd });
      expect(shown.completed).toBeGreaterThanOrEqual(shown.completedOnTime);
      expect(shown.scheduled).toBeGreaterThanOrEqual(
        shown.completed + shown.missed + shown.overdue,
      );
      expect(shown).not.toEqual(plain);
    }
  });
});
