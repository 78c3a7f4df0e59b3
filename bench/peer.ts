/**
 * `npm run bench:peer`: the `bench:append` workloads, and a projection-throughput workload, run
 * against our PostgreSQL event store and against the Emmett PostgreSQL event store
 * (`@event-driven-io/emmett-postgresql`, a dev dependency for this benchmark only), each in a fresh
 * schema of the same database, in the same run; prints both and the ratio ours/peer.
 *
 * Fairness: the same writers, streams, batch sizes and payloads (synthetic family events); both
 * through their own documented append with an expected version; both under the same durable
 * commits (synchronous_commit and fsync checked on); the stores take turns workload by workload;
 * one warm-up run discarded, then --runs runs, median. Projection throughput: each store's own
 * catch-up machinery (our ProjectionRunner; Emmett's consumer with a raw batch SQL projector)
 * reads everything the append workloads wrote, --projection-batch events a batch, and applies the
 * same single upsert statement per batch (event counts by type) in the checkpoint's transaction.
 *
 * What differs and is not levelled: our append also checks idempotency by event id and keeps
 * positions gap-safe by transaction id; Emmett's has its own schema (partitioned tables) and
 * keeps gap-safety its own way. Each store is measured as it ships.
 *
 * Options: as bench:append (--writers, --streams, --batch, --runs, --seed, --no-wait, --keep), but
 * smaller defaults, --appends N (100) and --families N (300), because the projection workload
 * replays everything the append workloads stored and Emmett's projector takes ~2,000 events/s;
 * plus --projection-batch N (500).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQL } from '@event-driven-io/dumbo';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import {
  PostgresEventStore as EmmettEventStore,
  getPostgreSQLEventStore,
  postgreSQLRawBatchSQLProjection,
} from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import {
  PostgresEventStore,
  RecordedEvent,
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { DataSource, EntityManager } from 'typeorm';
import {
  Appender,
  DATABASE_URL,
  EventSupply,
  RunFigures,
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
  appendsPerWriter: arg('appends', 100),
  batch: arg('batch', 10),
  bulkFamilies: arg('families', 300),
  seed: arg('seed', 1),
};
const RUNS = arg('runs', 3);
const PROJECTION_BATCH = arg('projection-batch', 500);
const KEEP = process.argv.includes('--keep');

const COUNTS_TABLE = `CREATE TABLE bench_type_counts (
  projection text NOT NULL, type text NOT NULL, n bigint NOT NULL, PRIMARY KEY (projection, type))`;
// The one statement both projections run per batch: counts of the batch's events by type.
const UPSERT = `INSERT INTO bench_type_counts (projection, type, n)
  SELECT $1, t, count(*) FROM jsonb_array_elements_text($2::jsonb) AS x(t) GROUP BY t
  ON CONFLICT (projection, type) DO UPDATE SET n = bench_type_counts.n + EXCLUDED.n`;

interface Contender {
  appender: Appender;
  project(run: string): Promise<RunFigures>;
  events(run: string): Promise<number>;
  close(): Promise<void>;
}

async function freshSchema(admin: Pool, prefix: string): Promise<string> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  return schema;
}

async function ours(schema: string): Promise<Contender> {
  const config = { url: DATABASE_URL, schema, max: SIZES.writers + 4 };
  const db: DataSource = createDataSource(config, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  await migrate(db);
  await db.query(COUNTS_TABLE);
  const pool = createPool(config);
  const store = new PostgresEventStore(pool);
  return {
    appender: {
      name: 'ours',
      append: async (streamId, events, expected) =>
        (
          await store.append(streamId, events, {
            expectedRevision: expected === null ? 'no_stream' : expected,
          })
        ).nextRevision,
    },
    async project(run) {
      await db.query('ANALYZE events');
      const head = await store.headPosition();
      const [{ total }] = (await db.query('SELECT count(*)::int AS total FROM events')) as {
        total: number;
      }[];
      const name = `bench_${run}`;
      const runner = new ProjectionRunner(
        store,
        db,
        [
          {
            name,
            tables: [],
            apply: async (events: RecordedEvent[], tx: EntityManager) => {
              await tx.query(UPSERT, [name, JSON.stringify(events.map((e) => e.type))]);
            },
          },
        ],
        { batchSize: PROJECTION_BATCH },
      );
      const start = process.hrtime.bigint();
      runner.start();
      await waitForProjections(db, [name], head, 3600_000);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      await runner.stop();
      return { events: total, seconds, eventsPerSecond: total / seconds, p50: NaN, p99: NaN };
    },
    events: (run) => projected(pool, run),
    async close() {
      await store.close();
      await pool.end();
      await db.destroy();
    },
  };
}

async function emmett(schema: string): Promise<Contender> {
  // Emmett's documented options with a pool of our making, only to point it at its own schema.
  const pool = createPool({ url: DATABASE_URL, schema, max: SIZES.writers + 4 });
  const store: EmmettEventStore = getPostgreSQLEventStore(DATABASE_URL, {
    connectionOptions: { pool },
  });
  await store.schema.migrate();
  await pool.query(COUNTS_TABLE);
  const types: string[] = [];
  return {
    appender: {
      name: 'Emmett',
      // Emmett counts a stream's version from 1 (0 = no stream); ours counts revisions from 0.
      append: async (streamId, events, expected) => {
        for (const e of events) if (!types.includes(e.type)) types.push(e.type);
        const result = await store.appendToStream(
          streamId,
          events.map(({ type, data, metadata }) => ({ type, data, metadata })),
          {
            expectedStreamVersion: expected === null ? STREAM_DOES_NOT_EXIST : expected + 1n,
          },
        );
        return result.nextExpectedStreamVersion - 1n;
      },
    },
    async project(run) {
      await pool.query('ANALYZE');
      const { rows } = await pool.query<{ total: number }>(
        'SELECT count(*)::int AS total FROM emt_messages',
      );
      const total = rows[0].total;
      const name = `bench_${run}`;
      const consumer = store.consumer({
        stopWhen: { noMessagesLeft: true },
        pulling: { batchSize: PROJECTION_BATCH },
      });
      consumer.projector({
        processorId: name,
        projection: postgreSQLRawBatchSQLProjection({
          name,
          canHandle: types,
          evolve: (events) => [
            SQL`INSERT INTO bench_type_counts (projection, type, n)
                SELECT ${name}, t, count(*) FROM jsonb_array_elements_text(${JSON.stringify(
                  events.map((e) => e.type),
                )}::jsonb) AS x(t) GROUP BY t
                ON CONFLICT (projection, type) DO UPDATE SET n = bench_type_counts.n + EXCLUDED.n`,
          ],
        }),
      });
      const start = process.hrtime.bigint();
      await consumer.start();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      await consumer.close();
      return { events: total, seconds, eventsPerSecond: total / seconds, p50: NaN, p99: NaN };
    },
    events: (run) => projected(pool, run),
    async close() {
      await store.close();
      await pool.end().catch(() => undefined);
    },
  };
}

async function projected(pool: Pool, run: string): Promise<number> {
  const { rows } = await pool.query<{ n: string | null }>(
    'SELECT sum(n) AS n FROM bench_type_counts WHERE projection = $1',
    [`bench_${run}`],
  );
  return Number(rows[0].n ?? 0);
}

type Row = {
  name: string;
  ours: RunFigures & { runs: number };
  peer: RunFigures & { runs: number };
};

async function main(): Promise<void> {
  const loadBefore = process.argv.includes('--no-wait') ? undefined : await waitForQuiet();
  const startLoad = loadAverage();
  const admin = createPool({ url: DATABASE_URL, max: 1 });
  const schemas = [await freshSchema(admin, 'bench_ours'), await freshSchema(admin, 'bench_emt')];
  const contenders: Contender[] = [];
  try {
    contenders.push(await ours(schemas[0]));
    contenders.push(await emmett(schemas[1]));
    const [a, b] = contenders;
    const database = await describeDatabase(admin);
    out(`# peer benchmark: ours vs Emmett ${peerVersion()}, load average at start ${startLoad}`);
    if (loadBefore !== undefined && loadBefore > 1.0) out('# WARNING: machine still busy');
    const supply = new EventSupply(SIZES.seed);
    const families = bulkFamilies(SIZES.seed, SIZES.bulkFamilies);
    const rows: Row[] = [];
    // The stores take turns, workload by workload, so neither gets a quieter stretch of the run.
    const both = async (name: string, once: (c: Contender, run: string) => Promise<RunFigures>) => {
      const oursFigures = await median(RUNS, (run) => once(a, run));
      const peerFigures = await median(RUNS, (run) => once(b, run));
      rows.push({ name, ours: oursFigures, peer: peerFigures });
    };
    await both(`${SIZES.writers} writers, single-event appends`, (c, run) =>
      concurrentWriters(c.appender, supply, SIZES, 1, `single-${run}`),
    );
    await both(`${SIZES.writers} writers, ${SIZES.batch}-event batches`, (c, run) =>
      concurrentWriters(c.appender, supply, SIZES, SIZES.batch, `batch-${run}`),
    );
    await both(`bulk: ${SIZES.bulkFamilies} families, ${SIZES.writers} at a time`, (c, run) =>
      bulkImport(c.appender, families, SIZES.writers, `bulk-${run}`),
    );
    const completeness: string[] = [];
    await both(`projection catch-up, ${PROJECTION_BATCH}-event reads`, async (c, run) => {
      const figures = await c.project(run);
      // Checked, not assumed: how many of the stored events the projection actually counted.
      const counted = await c.events(run);
      if (run !== 'warmup') {
        completeness.push(`${c.appender.name} ${run}: ${fmt(counted)} of ${fmt(figures.events)}`);
      }
      return figures;
    });
    out('');
    out(
      '| workload | ours events/s | Emmett events/s | ours/Emmett | ours p50 / p99 ms | Emmett p50 / p99 ms |',
    );
    out('| --- | ---: | ---: | ---: | ---: | ---: |');
    const ms = (f: RunFigures) =>
      Number.isNaN(f.p50) ? '–' : `${fmt(f.p50, 1)} / ${fmt(f.p99, 1)}`;
    for (const r of rows) {
      out(
        `| ${r.name} | ${fmt(r.ours.eventsPerSecond)} | ${fmt(r.peer.eventsPerSecond)} | ` +
          `${(r.ours.eventsPerSecond / r.peer.eventsPerSecond).toFixed(2)}× | ${ms(r.ours)} | ${ms(r.peer)} |`,
      );
    }
    out('');
    out(`each figure: median of ${RUNS} runs after a discarded warm-up`);
    out(`events counted by the projection / events stored: ${completeness.join('; ')}`);
    out(`machine: ${machine()}`);
    out(`database: ${database}`);
    out(`load average (1, 5, 15 min): start ${startLoad}, end ${loadAverage()}`);
  } finally {
    for (const c of contenders) await c.close().catch(() => undefined);
    if (!KEEP) {
      for (const schema of schemas) await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    }
    await admin.end();
  }
}

function peerVersion(): string {
  // Its exports map hides package.json from require.
  const file = join(__dirname, '../node_modules/@event-driven-io/emmett-postgresql/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
