/**
 * `npm run bench:rebuild -- --events 1000000`: appends a seeded synthetic workload through the
 * PostgreSQL event store into a fresh schema, then runs the operator's rebuild (`outcomes rebuild`,
 * every projection, from position 0 into shadow tables and swapped in) as a child process, and
 * prints events/s and the rebuilding process's peak RSS (VmHWM, sampled from /proc).
 *
 * Options: --events N (1,000,000; works at 10,000,000), --batch N (events a transaction, 5000),
 * --workers N (replay threads; the CLI's default, half the cores, when absent),
 * --concurrency N (appending families at once, 16), --seed N (1), --keep (leave the schema),
 * --no-wait (measure even if the machine is busy).
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local `test` database.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FAMILY_STREAM_PREFIX, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import { defaultRebuildWorkers } from '@app/projections';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { familyStream, toNewEvents } from '@app/workload';
import {
  DATABASE_URL,
  arg,
  describeDatabase,
  fmt,
  loadAverage,
  machine,
  out,
  trackPeakRss,
  waitForQuiet,
} from './support/append-workload';

const EVENTS = arg('events', 1_000_000);
const BATCH = arg('batch', 5000);
const WORKERS = process.argv.includes('--workers') ? arg('workers', 1) : undefined;
const CONCURRENCY = arg('concurrency', 16);
const SEED = arg('seed', 1);
const KEEP = process.argv.includes('--keep');
const WAIT = !process.argv.includes('--no-wait');
const ROOT = join(__dirname, '..');

async function load(schema: string): Promise<{ families: number; events: number; s: number }> {
  const config = { url: DATABASE_URL, schema, max: CONCURRENCY + 2 };
  const db = createDataSource(config, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  await migrate(db);
  const store = PostgresEventStore.connect(config);
  const started = Date.now();
  // ~36 events a family: generate families until the log holds the events asked for.
  const families = familyStream({
    seed: SEED,
    families: Math.ceil(EVENTS / 20),
    authorities: Array.from({ length: 20 }, (_, i) => `la_${i + 1}`),
    from: '2021-01-01T00:00:00.000Z',
    to: '2026-06-30T00:00:00.000Z',
  });
  let events = 0;
  let count = 0;
  let reported = 0;
  const lane = async () => {
    while (events < EVENTS) {
      const next = families.next();
      if (next.done) return;
      const batch = toNewEvents(next.value);
      events += batch.length;
      count++;
      await store.append(familyStreamId(next.value.familyId), batch, {
        expectedRevision: 'no_stream',
      });
      if (events - reported >= 1_000_000) {
        reported = events;
        process.stderr.write(
          `  appended ${fmt(events)} events (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
        );
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    // The catch-up and the stream-ordered replay are planned from these statistics.
    await db.query('ANALYZE events');
    return { families: count, events, s: (Date.now() - started) / 1000 };
  } finally {
    await store.close();
    await db.destroy();
  }
}

interface Rebuilt {
  events: number;
  seconds: number;
  peakRssMb: number;
  phases: string[];
}

/** The real CLI (`outcomes rebuild`) in a child process, its peak RSS sampled from /proc. */
function rebuild(schema: string): Promise<Rebuilt> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(ROOT, 'scripts', 'register.js'),
        join(ROOT, 'apps', 'cli', 'src', 'main.ts'),
        'rebuild',
        '--batch',
        String(BATCH),
        ...(WORKERS ? ['--workers', String(WORKERS)] : []),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL,
          DATABASE_SCHEMA: schema,
          EVENT_STORE: 'postgres',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const peak = trackPeakRss(child.pid!);
    let stdout = '';
    const phases: string[] = [];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        const at = ((Date.now() - started) / 1000).toFixed(1);
        phases.push(`${at} s ${line}`);
        process.stderr.write(`  [${at} s] ${line}\n`);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const peakRssMb = peak.stop();
      const m = /rebuilt .*: (\d+) events in ([\d.]+) s/.exec(stdout);
      if (code !== 0 || !m) return reject(new Error(`rebuild exited ${code}: ${stdout}`));
      resolve({ events: Number(m[1]), seconds: Number(m[2]), peakRssMb, phases });
    });
  });
}

async function main(): Promise<void> {
  const admin = createPool({ url: DATABASE_URL, max: 1 });
  const schema = `bench_rb_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  try {
    const database = await describeDatabase(admin);
    out(`# rebuild benchmark: ${fmt(EVENTS)} events, seed ${SEED}, schema ${schema}`);
    const loaded = await load(schema);
    out(
      `loaded ${fmt(loaded.events)} events of ${fmt(loaded.families)} families in ${loaded.s.toFixed(0)} s (${fmt(loaded.events / loaded.s)} events/s, ${CONCURRENCY} families at a time)`,
    );
    if (WAIT) await waitForQuiet(1.5, 3);
    const loadStart = loadAverage();
    const r = await rebuild(schema);
    const loadEnd = loadAverage();
    const { rows } = await admin.query<{ n: string; size: string }>(
      `SELECT (SELECT count(*) FROM ${quoteIdent(schema)}.families) AS n,
              pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size
       FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = $1 AND c.relkind = 'r' AND c.relname NOT IN ('events', 'streams', 'migrations')`,
      [schema],
    );
    out('');
    out(
      '| events replayed | projections | batch | workers | seconds | events/s | peak RSS (rebuild process) |',
    );
    out('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
    out(
      `| ${fmt(r.events)} | all 4 (families, timeline, outcomes, follow-ups) | ${fmt(BATCH)} | ${WORKERS ?? `default (${defaultRebuildWorkers()})`} | ${r.seconds.toFixed(1)} | ${fmt(r.events / r.seconds)} | ${fmt(r.peakRssMb)} MB |`,
    );
    out('');
    out(`phases (since the process started): ${r.phases.join('; ')}`);
    out(
      `read models after the swap: ${fmt(Number(rows[0].n))} families, ${rows[0].size} with indexes; stream prefix ${FAMILY_STREAM_PREFIX}`,
    );
    out(`machine: ${machine()}`);
    out(`database: ${database}`);
    out(`load average (1, 5, 15 min): start ${loadStart}, end ${loadEnd}`);
  } finally {
    if (!KEEP) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    if (!KEEP)
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}__rebuild`)} CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
