/**
 * `npm run bench:append`: appends through the PostgreSQL event store into a fresh schema, with
 * durable commits (checked: synchronous_commit and fsync on), and prints a table:
 *   - 16 concurrent single-event writers, each on its own family streams with expected revisions
 *     (events/s, p50/p99 latency of one append);
 *   - the same writers appending 10-event batches;
 *   - the import's bulk path: many families, each appended whole, concurrently.
 * Each workload: one warm-up run discarded, then --runs runs; the median run is reported.
 *
 * Options: --writers N (16), --streams N (streams per writer, 4), --appends N (appends per writer
 * per run, 300), --batch N (10), --families N (bulk families per run, 1000), --runs N (3),
 * --seed N (1), --no-wait (measure even if the machine is busy), --keep (leave the schema).
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local `test` database.
 */
import { randomBytes } from 'node:crypto';
import {
  PostgresEventStore,
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import {
  Appender,
  DATABASE_URL,
  EventSupply,
  arg,
  bulkFamilies,
  bulkImport,
  concurrentWriters,
  describeDatabase,
  fmt,
  loadAverage,
  machine,
  median,
  out,
  waitForQuiet,
} from './support/append-workload';

const SIZES = {
  writers: arg('writers', 16),
  streamsPerWriter: arg('streams', 4),
  appendsPerWriter: arg('appends', 300),
  batch: arg('batch', 10),
  bulkFamilies: arg('families', 1000),
  seed: arg('seed', 1),
};
const RUNS = arg('runs', 3);

export const ourAppender = (store: PostgresEventStore): Appender => ({
  name: 'ours (PostgreSQL)',
  append: async (streamId, events, expected) =>
    (
      await store.append(streamId, events, {
        expectedRevision: expected === null ? 'no_stream' : expected,
      })
    ).nextRevision,
});

async function main(): Promise<void> {
  const loadBefore = process.argv.includes('--no-wait') ? undefined : await waitForQuiet();
  const startLoad = loadAverage();
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ url: DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const config = { url: DATABASE_URL, schema, max: SIZES.writers + 4 };
  const db = createDataSource(config, eventStoreMigrations);
  await migrate(db);
  await db.destroy();
  const pool = createPool(config);
  const store = new PostgresEventStore(pool);
  try {
    const database = await describeDatabase(pool);
    out(`# append benchmark, schema ${schema}, load average at start ${startLoad}`);
    if (loadBefore !== undefined && loadBefore > 1.0) out('# WARNING: machine still busy');
    const supply = new EventSupply(SIZES.seed);
    const families = bulkFamilies(SIZES.seed, SIZES.bulkFamilies);
    const appender = ourAppender(store);
    const single = await median(RUNS, (run) =>
      concurrentWriters(appender, supply, SIZES, 1, `single-${run}`),
    );
    const batched = await median(RUNS, (run) =>
      concurrentWriters(appender, supply, SIZES, SIZES.batch, `batch-${run}`),
    );
    const bulk = await median(RUNS, (run) =>
      bulkImport(appender, families, SIZES.writers, `bulk-${run}`),
    );
    out('');
    out('| workload | events/s | p50 ms | p99 ms | events a run | runs (median) |');
    out('| --- | ---: | ---: | ---: | ---: | ---: |');
    const row = (name: string, f: typeof single) =>
      out(
        `| ${name} | ${fmt(f.eventsPerSecond)} | ${fmt(f.p50, 1)} | ${fmt(f.p99, 1)} | ${fmt(f.events)} | ${f.runs} |`,
      );
    row(`${SIZES.writers} writers, single-event appends`, single);
    row(`${SIZES.writers} writers, ${SIZES.batch}-event batches`, batched);
    row(
      `bulk: ${SIZES.bulkFamilies} families, whole history each, ${SIZES.writers} at a time`,
      bulk,
    );
    out('');
    out(`machine: ${machine()}`);
    out(`database: ${database}`);
    out(`load average (1, 5, 15 min): start ${startLoad}, end ${loadAverage()}`);
  } finally {
    await store.close();
    await pool.end();
    if (!process.argv.includes('--keep'))
      await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
