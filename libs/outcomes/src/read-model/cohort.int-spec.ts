/**
 * The cohort rules and counts are defined in TypeScript (`cohort.ts`, `counts.ts`) and their SQL
 * is generated from them. This holds the two equal over generated episodes (a seeded generator):
 * the episode-row queries, the rollup and the per-episode masks give what the TypeScript gives.
 */
import { createDataSource, eventStoreMigrations, migrate } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { readModelMigrations } from '@app/read-models';
import { DataSource } from 'typeorm';
import { loadDefinitions } from '../definitions';
import { attrition, attritionOf, placeOf } from './attrition';
import {
  COHORT_KINDS,
  TRANSITIONS,
  cohortMasksOf,
  excludedForConsent,
  excludedFromCohort,
  holds,
  inCohort,
} from './cohort';
import { countOutcomes, countSpecs } from './counts';
import { OutcomeCountLayout1765000000001 } from './migrations/1765000000001-OutcomeCountLayout';
import { episodeRecords } from './episode-records';
import {
  cohortEpisodeMasks,
  consentExclusions,
  outcomeCounts,
  transitionCounts,
} from './outcomes.queries';
import { rollupCounts, rollupPlan, updateOutcomeRollup } from './rollup';
import { CohortFilter, EpisodeSource, matchesFilter } from './source';
import { FILTERS, SEEDS, randomEpisodes } from './testing/random-episodes';
import { cohortSummary } from './summary';

const definitions = loadDefinitions();
const DOMAINS = definitions.domains.length;

describe('cohort SQL generated from the TypeScript rules', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  beforeAll(async () => {
    schema = await createTestSchema('cohort_rules');
    db = createDataSource(schema.config, [...eventStoreMigrations, ...readModelMigrations]);
    await migrate(db);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  const generated = (seed: number) => randomEpisodes(definitions, seed);

  it('counts the outcomes table as countOutcomes does, every cohort and filter', async () => {
    for (const seed of SEEDS) {
      const episodes = generated(seed);
      const source: EpisodeSource = { kind: 'rows', episodes };
      for (const cohort of COHORT_KINDS) {
        for (const filter of FILTERS) {
          const sql = await outcomeCounts(db, definitions, filter, cohort, source);
          expect(sql).toEqual(countOutcomes(episodes, definitions, filter, cohort));
        }
      }
    }
  });

  it('keeps a rollup that gives the same counts for whole months', async () => {
    const episodes = generated(4);
    await db.query(
      `INSERT INTO outcome_episodes SELECT * FROM jsonb_populate_recordset(null::outcome_episodes, $1::jsonb)`,
      [JSON.stringify(episodeRecords(episodes))],
    );
    await updateOutcomeRollup(db, definitions, 'all', 1);
    const months: CohortFilter[] = [
      {},
      { authority: 'prop-a', referredFrom: '2024-04-01T00:00:00.000Z' },
      { exitedFrom: '2024-02-01T00:00:00.000Z', exitedBefore: '2025-03-01T00:00:00.000Z' },
    ];
    for (const cohort of COHORT_KINDS) {
      for (const filter of months) {
        const rolled = await outcomeCounts(db, definitions, filter, cohort);
        expect(rolled).toEqual(countOutcomes(episodes, definitions, filter, cohort));
      }
    }
  });

  it('gives correct figures over a rollup written in the older layout, and the upgrade rebuilds it', async () => {
    // The rollup of the previous test's episodes, as code before issue 15 wrote it: nine counts
    // per domain where there are now thirteen. Read at the new offsets it would be wrong figures.
    const episodes = generated(4);
    const filter: CohortFilter = { authority: 'prop-a', referredFrom: '2024-04-01T00:00:00.000Z' };
    const per = countSpecs(definitions).length / DOMAINS;
    expect(per).toBe(13);
    await db.query(
      `UPDATE outcome_rollup SET counts = ARRAY(
         SELECT v FROM unnest(counts) WITH ORDINALITY AS u(v, i)
         WHERE (i - 1) % ${per} < 9 ORDER BY i)`,
    );
    for (const cohort of COHORT_KINDS) {
      // The old-layout rows are not read: the answer comes from the episode rows, and is right.
      expect(await outcomeCounts(db, definitions, filter, cohort)).toEqual(
        countOutcomes(episodes, definitions, filter, cohort),
      );
    }
    // The upgrade empties the outcomes model and rewinds its projection to replay it.
    await db.query(
      `INSERT INTO projection_checkpoints (name, position) VALUES ('outcomes', 1234)
       ON CONFLICT (name) DO UPDATE SET position = 1234`,
    );
    const runner = db.createQueryRunner();
    try {
      await new OutcomeCountLayout1765000000001().up(runner);
    } finally {
      await runner.release();
    }
    const [{ rows }] = (await db.query(
      'SELECT (SELECT count(*) FROM outcome_rollup) + (SELECT count(*) FROM outcome_episodes) AS rows',
    )) as { rows: string }[];
    expect(Number(rows)).toBe(0);
    const [checkpoint] = (await db.query(
      `SELECT position FROM projection_checkpoints WHERE name = 'outcomes'`,
    )) as { position: string }[];
    expect(Number(checkpoint.position)).toBe(0);
    // The replay writes the new layout, which the rollup answers from again.
    await db.query(
      `INSERT INTO outcome_episodes SELECT * FROM jsonb_populate_recordset(null::outcome_episodes, $1::jsonb)`,
      [JSON.stringify(episodeRecords(episodes))],
    );
    await updateOutcomeRollup(db, definitions, 'all', 1);
    const plan = rollupPlan(filter)!;
    for (const cohort of COHORT_KINDS) {
      expect(await rollupCounts(db, definitions, filter, cohort, plan, 0)).toEqual({
        ...countOutcomes(episodes, definitions, filter, cohort),
        excludedForConsent: 0,
      });
    }
  });

  it('counts transitions and lists masks as the TypeScript rules do', async () => {
    const episodes = generated(5);
    const source: EpisodeSource = { kind: 'rows', episodes };
    const bits = [0, 3, DOMAINS - 1];
    for (const cohort of COHORT_KINDS) {
      for (const filter of FILTERS) {
        const members = episodes.filter((e) => matchesFilter(filter, e) && inCohort(cohort, e));
        const masks = members.map((e) => cohortMasksOf(cohort, e));
        const expected = bits.map((bit) =>
          Object.fromEntries(
            Object.entries(TRANSITIONS).map(([period, rules]) => [
              period,
              {
                pairs: masks.filter((m) => holds(rules.pairs, m, bit)).length,
                improved: masks.filter((m) => holds(rules.improved, m, bit)).length,
                worsened: masks.filter((m) => holds(rules.worsened, m, bit)).length,
              },
            ]),
          ),
        );
        expect(await transitionCounts(db, filter, cohort, source, bits)).toEqual({
          families: members.length,
          excludedForConsent: episodes.filter(
            (e) => matchesFilter(filter, e) && excludedFromCohort(cohort, e),
          ).length,
          domains: expected,
        });
        const listed = await cohortEpisodeMasks(db, filter, cohort, source);
        const byKey = (x: { familyId: string; episode: number }) => `${x.familyId}/${x.episode}`;
        expect(new Map(listed.map((x) => [byKey(x), x.masks]))).toEqual(
          new Map(
            members.map((e, i) => [byKey({ familyId: e.familyId, episode: e.episode }), masks[i]]),
          ),
        );
      }
    }
  });

  it('draws the attrition line as the TypeScript does, every filter', async () => {
    for (const seed of SEEDS) {
      const episodes = generated(seed);
      const source: EpisodeSource = { kind: 'rows', episodes };
      for (const filter of FILTERS) {
        const line = await attrition(db, filter, source);
        expect(line).toEqual(attritionOf(episodes, filter));
        // Over episodes the decider allows (each has a place), the line's steps are the cohorts' n.
        const allowed = episodes.filter((e) => placeOf(e) !== undefined);
        const valid = attritionOf(allowed, filter);
        for (const [cohort, step] of [
          ['all_started', valid.started],
          ['planned_exits', valid.plannedExits],
        ] as const) {
          expect(countOutcomes(allowed, definitions, filter, cohort).families).toBe(step);
        }
        expect(valid.started + valid.notStarted.total).toBe(valid.referred);
      }
    }
  });

  it('applies the consent rule as the TypeScript does: out of every cohort, and counted', async () => {
    for (const seed of SEEDS) {
      const episodes = generated(seed);
      const source: EpisodeSource = { kind: 'rows', episodes };
      // The generator must produce withdrawals for this to test anything.
      expect(episodes.filter(excludedForConsent).length).toBeGreaterThan(5);
      for (const filter of FILTERS) {
        const matching = episodes.filter((e) => matchesFilter(filter, e));
        for (const cohort of COHORT_KINDS) {
          const out = matching.filter((e) => excludedFromCohort(cohort, e));
          expect(out.every((e) => !inCohort(cohort, e))).toBe(true);
          expect(await consentExclusions(db, filter, cohort, source)).toBe(out.length);
        }
        const summary = await cohortSummary(db, filter, source);
        expect(summary.excludedForConsent).toBe(matching.filter(excludedForConsent).length);
        expect(summary.referred).toBe(matching.filter((e) => !excludedForConsent(e)).length);
      }
    }
  });
});
