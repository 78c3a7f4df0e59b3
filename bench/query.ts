/**
 * `npm run bench:query -- --families 100000` (and 1000000): latency of the read side at national
 * scale: the outcomes table, the cohort summary (with its follow-up rates) and the follow-up list,
 * each narrow (one authority, one quarter) and national (every authority, a year), and the national
 * outcomes and summary as an evaluator gets them (cell-key perturbation), p50/p95 and
 * queries/s, through the same query functions the API's handlers call.
 *
 * The read models are loaded directly (`support/read-models.ts`): `--seed-families` (5,000)
 * synthetic families through the event store and a rebuild, then copied in SQL under fresh ids
 * over 150 authorities (England has 153) until `--families` is reached.
 *
 * Options: --families N (100,000), --runs N (100), --warmup N (10), --seed-families N (5,000),
 * --keep, --no-wait. Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else local `test`.
 */
import { randomBytes } from 'node:crypto';
import {
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import { followUpRates, listFollowUps } from '@app/follow-ups';
import {
  CohortFilter,
  LIVE,
  attrition,
  cohortSummary,
  countsFromCells,
  definitionsFromEnv,
  outcomeCells,
  populationKey,
  outcomeCounts,
  outcomeModel,
} from '@app/outcomes';
import { readModelMigrations } from '@app/read-models';
import { cellKeys, publishedOver } from '@app/returns';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
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
import { loadReadModels } from './support/read-models';

const FAMILIES = arg('families', 100_000);
const SEED_FAMILIES = Math.min(arg('seed-families', 5000), FAMILIES);
const RUNS = arg('runs', 100);
const WARMUP = arg('warmup', 10);
const AUTHORITIES = 150;
const KEEP = process.argv.includes('--keep');
const WAIT = !process.argv.includes('--no-wait');

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
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  try {
    const database = await describeDatabase(admin);
    await migrate(db);
    out(
      `# query benchmark: ${fmt(FAMILIES)} families over ${AUTHORITIES} authorities, schema ${schema}`,
    );
    const counts = await loadReadModels(db, schema, {
      families: FAMILIES,
      seedFamilies: SEED_FAMILIES,
      authorities: AUTHORITIES,
    });
    out(
      `loaded ${fmt(counts.families)} families, ${fmt(counts.episodes)} episodes, ${fmt(counts.followUps)} scheduled follow-ups in ${counts.seconds.toFixed(0)} s (${fmt(SEED_FAMILIES)} through the event store and rebuild, the rest copied)`,
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
    // As the handlers do under disclosure control (issue 14): one publisher per answer, scoped
    // by the population's key; every cell keyed with the record keys' HMAC in SQL.
    const keys = cellKeys('bench-cell-key-secret-0123456789');
    const published = async (filter: CohortFilter) =>
      publishedOver(keys, await populationKey(db, filter, LIVE, keys.sql));
    const perturbedOutcomes = (filter: CohortFilter) => async () => {
      await outcomeModel(db);
      const p = await published(filter);
      const [, cells] = await Promise.all([
        attrition(db, filter, LIVE, p),
        outcomeCells(db, definitions, filter, 'planned_exits', LIVE, keys.sql),
      ]);
      return countsFromCells(definitions, cells, p.publish);
    };
    const perturbedSummary = (filter: CohortFilter) => async () => {
      await outcomeModel(db);
      const p = await published(filter);
      return Promise.all([
        cohortSummary(db, filter, LIVE, p),
        followUpRates(db, filter, at, undefined, p),
      ]);
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
        name: 'outcomes, national, perturbed (an evaluator: keyed cells, no rollup)',
        run: perturbedOutcomes(nationalExits),
      },
      {
        name: 'cohort summary, national, perturbed (an evaluator)',
        run: perturbedSummary(nationalReferred),
      },
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
