/**
 * Read models at national scale without a national event log, shared by `bench:query` and
 * `bench:return`: `seedFamilies` synthetic families go through the real path (event store, then
 * `rebuildProjections`), and their read-model rows are then copied in SQL under fresh family ids,
 * spread over `authorities` authorities, until `families` is reached. The distributions
 * (statuses, masks, dates, positions) are the workload's; only identities repeat. Loading 1M
 * families as ~40M events would take the better part of an hour on the benchmark machine.
 */
import { FAMILY_STREAM_PREFIX, familyStreamId } from '@app/domain';
import { PostgresEventStore } from '@app/event-store';
import { definitionsFromEnv, updateOutcomeRollup } from '@app/outcomes';
import { rebuildProjections } from '@app/projections';
import { allProjections } from '@app/read-models';
import { familyStream, toNewEvents } from '@app/workload';
import { DataSource } from 'typeorm';
import { DATABASE_URL } from './append-workload';

export interface ReadModelSizes {
  families: number;
  seedFamilies: number;
  authorities: number;
}

/** The seed families through the event store and a rebuild of every projection. */
async function seed(db: DataSource, schema: string, sizes: ReadModelSizes): Promise<void> {
  const store = PostgresEventStore.connect({ url: DATABASE_URL, schema, max: 18 });
  try {
    const families = familyStream({
      seed: 1,
      families: sizes.seedFamilies,
      authorities: Array.from({ length: sizes.authorities }, (_, i) => `la_${i + 1}`),
      from: '2021-01-01T00:00:00.000Z',
      to: '2026-06-30T00:00:00.000Z',
    });
    const lane = async () => {
      for (let next = families.next(); !next.done; next = families.next()) {
        await store.append(familyStreamId(next.value.familyId), toNewEvents(next.value), {
          expectedRevision: 'no_stream',
        });
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    await db.query('ANALYZE events');
    await rebuildProjections(store, db, allProjections(), {
      streamPrefixes: [FAMILY_STREAM_PREFIX],
    });
  } finally {
    await store.close();
  }
}

/**
 * Copies the seed families' rows (all of one family's rows under one new id) until `families`, in
 * one statement a table; authorities cycle over `authorities`. The copies keep their seed's
 * positions: as at the head they are settled, as the seed families are.
 */
async function multiply(db: DataSource, sizes: ReadModelSizes): Promise<void> {
  const copies = Math.ceil(sizes.families / sizes.seedFamilies) - 1;
  if (copies < 1) return;
  await db.query(`CREATE TEMP TABLE copies AS
    SELECT row_number() OVER () AS n, s.family_id AS seed_id, gen_random_uuid() AS family_id,
           'la_' || (1 + (row_number() OVER () % ${sizes.authorities})) AS authority
    FROM generate_series(1, ${copies}) c CROSS JOIN (SELECT family_id FROM families) s`);
  await db.query(`DELETE FROM copies WHERE n > ${sizes.families - sizes.seedFamilies}`);
  await db.query('CREATE INDEX ON copies (seed_id)');
  const copyTable = async (table: string, extra: Record<string, string> = {}) => {
    const columns = (
      (await db.query(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      )) as { column_name: string }[]
    ).map((c) => c.column_name);
    const select = columns.map((c) =>
      c === 'family_id'
        ? 'c.family_id'
        : c === 'authority'
          ? 'c.authority'
          : (extra[c] ?? `t.${c}`),
    );
    await db.query(
      `INSERT INTO ${table} (${columns.join(', ')})
       SELECT ${select.join(', ')} FROM ${table} t JOIN copies c ON c.seed_id = t.family_id`,
    );
  };
  await copyTable('families');
  await copyTable('outcome_families');
  await copyTable('outcome_episodes');
  await copyTable('follow_ups', { follow_up_id: 'gen_random_uuid()' });
  // The rollup of every episode, as the projection would have kept it.
  await db.query('DELETE FROM outcome_rollup');
  await updateOutcomeRollup(db, definitionsFromEnv(), 'all', 1);
  await db.query('DROP TABLE copies');
}

export interface Loaded {
  families: number;
  episodes: number;
  followUps: number;
  seconds: number;
}

/** Seeds, multiplies and analyses the read models; what was loaded. */
export async function loadReadModels(
  db: DataSource,
  schema: string,
  sizes: ReadModelSizes,
): Promise<Loaded> {
  const started = Date.now();
  await seed(db, schema, sizes);
  await multiply(db, sizes);
  for (const table of ['families', 'outcome_families', 'outcome_episodes', 'follow_ups']) {
    await db.query(`VACUUM ANALYZE ${table}`);
  }
  const [counts] = (await db.query(
    `SELECT (SELECT count(*) FROM families)::int AS families,
            (SELECT count(*) FROM outcome_episodes)::int AS episodes,
            (SELECT count(*) FROM follow_ups WHERE status <> 'unscheduled')::int AS follow_ups`,
  )) as { families: number; episodes: number; follow_ups: number }[];
  return {
    families: counts.families,
    episodes: counts.episodes,
    followUps: counts.follow_ups,
    seconds: (Date.now() - started) / 1000,
  };
}
