/**
 * `npm run bench:query -- --families 100000` (and 1000000): latency of the read side at national
 * scale: the outcomes table, the cohort summary (with its follow-up rates) and the follow-up list,
 * each narrow (one authority, one quarter) and national (every authority, a year), p50/p95 and
 * queries/s, through the same query functions the API's handlers call.
 *
 * Loading 1M families as ~40M events would take the better part of an hour here, so the read
 * models are loaded directly: `--seed-families` (5,000) synthetic families go through the real
 * path (event store, then `rebuildProjections`), and their read-model rows are then copied in SQL
 * with fresh family ids, spread over 150 authorities (England has 153), until `--families` is
 * reached. The distributions (statuses, masks, dates) are the workload's; only identities repeat.
 *
 * Options: --families N (100,000), --runs N (100), --warmup N (10), --seed-families N (5,000),
 * --keep, --no-wait. Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else local `test`.
 */
import { randomBytes } from 'node:crypto';
import { FAMILY_STREAM_PREFIX, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import { followUpRates, listFollowUps } from '@app/follow-ups';
import { definitionsFromEnv } from '@app/outcomes';
import {
  CohortFilter,
  LIVE,
  allProjections,
  cohortSummary,
  outcomeCounts,
  outcomeModel,
  projectionMigrations,
  rebuildProjections,
  updateOutcomeRollup,
} from '@app/projections';
import { familyStream, toNewEvents } from '@app/workload';
import { DataSource } from 'typeorm';
import {
  DATABASE_URL,
  arg,
  describeDatabase,
  fmt,
  loadAverage,
  machine,
  out,
  waitForQuiet,
} from './support/append-workload';

const FAMILIES = arg('families', 100_000);
const SEED_FAMILIES = Math.min(arg('seed-families', 5000), FAMILIES);
const RUNS = arg('runs', 100);
const WARMUP = arg('warmup', 10);
const AUTHORITIES = 150;
const KEEP = process.argv.includes('--keep');
const WAIT = !process.argv.includes('--no-wait');

async function seed(db: DataSource, schema: string): Promise<void> {
  const config = { url: DATABASE_URL, schema, max: 18 };
  const store = PostgresEventStore.connect(config);
  try {
    const families = familyStream({
      seed: 1,
      families: SEED_FAMILIES,
      authorities: Array.from({ length: AUTHORITIES }, (_, i) => `la_${i + 1}`),
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
 * Copies the seed families' rows (all of one family's rows under one new id) until FAMILIES, in
 * one statement a table and copy round; authorities cycle over AUTHORITIES.
 */
async function multiply(db: DataSource): Promise<void> {
  const copies = Math.ceil(FAMILIES / SEED_FAMILIES) - 1;
  if (copies < 1) return;
  await db.query(`CREATE TEMP TABLE copies AS
    SELECT row_number() OVER () AS n, s.family_id AS seed_id, gen_random_uuid() AS family_id,
           'la_' || (1 + (row_number() OVER () % ${AUTHORITIES})) AS authority
    FROM generate_series(1, ${copies}) c CROSS JOIN (SELECT family_id FROM families) s`);
  await db.query(`DELETE FROM copies WHERE n > ${FAMILIES - SEED_FAMILIES}`);
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
  await copyTable('outcome_episodes');
  await copyTable('follow_ups', { follow_up_id: 'gen_random_uuid()' });
  // The rollup of every episode, as the projection would have kept it.
  await db.query('DELETE FROM outcome_rollup');
  await updateOutcomeRollup(db, definitionsFromEnv(), 'all', 1);
}

interface Query {
  name: string;
  run: () => Promise<unknown>;
}

async function time(q: Query): Promise<{ p50: number; p95: number; qps: number }> {
  for (let i = 0; i < WARMUP; i++) await q.run();
  const times: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await q.run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), qps: RUNS / total };
}

async function main(): Promise<void> {
  const schema = `bench_q_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ url: DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const db = createDataSource({ url: DATABASE_URL, schema, max: 20 }, [
    ...eventStoreMigrations,
    ...projectionMigrations,
  ]);
  try {
    const database = await describeDatabase(admin);
    await migrate(db);
    out(
      `# query benchmark: ${fmt(FAMILIES)} families over ${AUTHORITIES} authorities, schema ${schema}`,
    );
    const loadStart = Date.now();
    await seed(db, schema);
    await multiply(db);
    await db.query('VACUUM ANALYZE families');
    await db.query('VACUUM ANALYZE outcome_episodes');
    await db.query('VACUUM ANALYZE follow_ups');
    const [counts] = (await db.query(
      `SELECT (SELECT count(*) FROM families)::int AS families,
              (SELECT count(*) FROM outcome_episodes)::int AS episodes,
              (SELECT count(*) FROM follow_ups WHERE status <> 'unscheduled')::int AS follow_ups`,
    )) as { families: number; episodes: number; follow_ups: number }[];
    out(
      `loaded ${fmt(counts.families)} families, ${fmt(counts.episodes)} episodes, ${fmt(counts.follow_ups)} scheduled follow-ups in ${((Date.now() - loadStart) / 1000).toFixed(0)} s (${fmt(SEED_FAMILIES)} through the event store and rebuild, the rest copied)`,
    );

    const definitions = definitionsFromEnv();
    const narrowExits: CohortFilter = {
      authority: 'la_3',
      exitedFrom: '2025-04-01T00:00:00.000Z',
      exitedBefore: '2025-07-01T00:00:00.000Z',
    };
    const nationalExits: CohortFilter = {
      exitedFrom: '2025-01-01T00:00:00.000Z',
      exitedBefore: '2026-01-01T00:00:00.000Z',
    };
    const narrowReferred: CohortFilter = {
      authority: 'la_3',
      referredFrom: '2025-04-01T00:00:00.000Z',
      referredBefore: '2025-07-01T00:00:00.000Z',
    };
    const nationalReferred: CohortFilter = {
      referredFrom: '2025-01-01T00:00:00.000Z',
      referredBefore: '2026-01-01T00:00:00.000Z',
    };
    const at = new Date('2026-06-30T00:00:00.000Z');
    // As the API's handlers do: the model check, then the counts; the summary with its rates.
    const outcomes = (filter: CohortFilter) => async () => {
      await outcomeModel(db);
      return outcomeCounts(db, definitions, filter, 'planned_exits');
    };
    const summary = (filter: CohortFilter) => async () => {
      await outcomeModel(db);
      return Promise.all([cohortSummary(db, filter), followUpRates(db, filter, at)]);
    };
    // The rollup must give what the episodes give (the int test checks it; this checks at scale).
    const viaRollup = await outcomeCounts(db, definitions, nationalExits, 'planned_exits');
    const viaEpisodes = await outcomeCounts(db, definitions, nationalExits, 'planned_exits', LIVE, {
      rollup: false,
    });
    if (JSON.stringify(viaRollup) !== JSON.stringify(viaEpisodes)) {
      throw new Error('national outcomes: the rollup and the episodes disagree');
    }
    out(`national planned exits in the year: ${fmt(viaRollup.families)} (rollup = episodes)`);
    const queries: Query[] = [
      {
        name: 'outcomes, narrow (1 authority, planned exits in a quarter)',
        run: outcomes(narrowExits),
      },
      { name: 'outcomes, national (planned exits in a year)', run: outcomes(nationalExits) },
      {
        name: 'outcomes, national, from the episodes (rollup bypassed)',
        run: async () => {
          await outcomeModel(db);
          return outcomeCounts(db, definitions, nationalExits, 'planned_exits', LIVE, {
            rollup: false,
          });
        },
      },
      {
        name: 'cohort summary, narrow (1 authority, referred in a quarter)',
        run: summary(narrowReferred),
      },
      { name: 'cohort summary, national (referred in a year)', run: summary(nationalReferred) },
      {
        name: 'follow-up list, narrow (1 authority, due in a quarter, first page of 50)',
        run: () =>
          listFollowUps(
            db,
            { authority: 'la_3', dueFrom: new Date('2026-01-01'), dueTo: new Date('2026-04-01') },
            at,
            50,
          ),
      },
      {
        name: 'follow-up list, national (due in a year, first page of 50)',
        run: () =>
          listFollowUps(
            db,
            { dueFrom: new Date('2026-01-01'), dueTo: new Date('2027-01-01') },
            at,
            50,
          ),
      },
    ];
    if (WAIT) await waitForQuiet(1.5, 3);
    const loadAtStart = loadAverage();
    out('');
    out(
      `| query (${fmt(counts.families)} families) | p50 ms | p95 ms | queries/s (one client) | runs |`,
    );
    out('| --- | ---: | ---: | ---: | ---: |');
    for (const q of queries) {
      const r = await time(q);
      out(`| ${q.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${fmt(r.qps)} | ${RUNS} |`);
    }
    out('');
    out(`machine: ${machine()}`);
    out(`database: ${database}`);
    out(`load average (1, 5, 15 min): start ${loadAtStart}, end ${loadAverage()}`);
  } finally {
    await db.destroy();
    if (!KEEP) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
