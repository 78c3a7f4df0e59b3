/**
 * `npm run bench:outcomes -- --families 100000`: generates a seeded workload, appends it straight
 * through the PostgreSQL event store (concurrent appends, one per family) into a fresh schema, runs
 * the projections to catch-up, then times the outcomes and summary endpoints over HTTP (after a
 * warm-up) and prints the median and p95 of each, with the machine they ran on.
 *
 * Options: --families N (100000), --runs N (200), --warmup N (20), --seed N (1),
 * --concurrency N (16), --batch N (projection batch size, 2000), --keep (leave the schema).
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local `test` database.
 */
import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { FAMILY_STREAM_PREFIX, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { familyStream, toNewEvents } from '@app/workload';
import { createApi } from '../apps/api/src/api';
import { loadConfig } from '@app/config';
import { issueToken, jwtSecretFrom } from '@app/security';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FAMILIES = arg('families', 100_000);
const RUNS = arg('runs', 200);
const WARMUP = arg('warmup', 20);
const SEED = arg('seed', 1);
const CONCURRENCY = arg('concurrency', 16);
const BATCH = arg('batch', 2000);
const KEEP = process.argv.includes('--keep');
const URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

const out = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

async function main(): Promise<void> {
  process.env.NODE_ENV ??= 'test'; // quiet Nest logs
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ url: URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const config = { url: URL, schema, max: CONCURRENCY + 4 };
  const db = createDataSource(config, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  await migrate(db);
  const store = PostgresEventStore.connect(config);
  try {
    out(`# outcomes benchmark: ${FAMILIES} families, seed ${SEED}, schema ${schema}`);
    const to = '2026-06-30T00:00:00.000Z';
    const families = familyStream({
      seed: SEED,
      families: FAMILIES,
      authorities: Array.from({ length: 20 }, (_, i) => `la_${i + 1}`),
      from: '2021-01-01T00:00:00.000Z',
      to,
    });

    let loaded = 0;
    let events = 0;
    const loadStart = Date.now();
    const lane = async () => {
      for (let next = families.next(); !next.done; next = families.next()) {
        const family = next.value;
        const batch = toNewEvents(family);
        events += batch.length;
        await store.append(familyStreamId(family.familyId), batch, {
          expectedRevision: 'no_stream',
        });
        if (++loaded % 10_000 === 0) out(`  appended ${loaded} families (${seconds(loadStart)} s)`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    const loadSeconds = seconds(loadStart);
    out(
      `appended ${loaded} families, ${events} events (${(events / loaded).toFixed(1)} a family) in ${loadSeconds} s`,
    );

    // Fresh statistics: with the ones from an empty table, the store's catch-up read (position >
    // checkpoint ORDER BY position LIMIT n) is planned as a bitmap scan + sort of everything after
    // the checkpoint, which takes seconds a batch at this size.
    await db.query('ANALYZE events');
    const head = await store.headPosition();
    const projectStart = Date.now();
    const runner = new ProjectionRunner(store, db, allProjections(), {
      batchSize: BATCH,
      streamPrefixes: [FAMILY_STREAM_PREFIX],
    });
    runner.start();
    await waitForProjections(
      db,
      allProjections().map((p) => p.name),
      head,
      24 * 3600_000,
    );
    await runner.stop();
    const projectSeconds = seconds(projectStart);
    out(`projections caught up in ${projectSeconds} s`);
    await db.query('VACUUM ANALYZE outcome_episodes');
    const [{ episodes, planned }] = (await db.query(
      `SELECT count(*)::int AS episodes,
              count(*) FILTER (WHERE exit_type = 'planned')::int AS planned
       FROM outcome_episodes`,
    )) as { episodes: number; planned: number }[];
    out(`outcome_episodes: ${episodes} episodes, ${planned} planned exits`);

    const app = await createApi({ database: { url: URL, schema }, eventStore: 'postgres' });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    // A national caller, signed with the key the in-process API uses (env or development file).
    const authorization = `Bearer ${issueToken(jwtSecretFrom(loadConfig()).secret, {
      subject: 'bench',
      role: 'admin',
      authority: null,
    })}`;
    const queries: [string, string][] = [
      ['outcomes national (planned exits)', '/v1/outcomes'],
      ['outcomes national (all started)', '/v1/outcomes?cohort=all_started'],
      [
        'outcomes narrow (1 authority, exits in 2025)',
        '/v1/outcomes?authority=la_3&exitedFrom=2025-01-01&exitedTo=2025-12-31',
      ],
      ['summary national', '/v1/cohorts/summary'],
      [
        'summary narrow (1 authority, referred in 2024)',
        '/v1/cohorts/summary?authority=la_3&referredFrom=2024-01-01&referredTo=2024-12-31',
      ],
    ];
    out('');
    out(`| query | median ms | p95 ms | runs |`);
    out(`| --- | --- | --- | --- |`);
    try {
      for (const [name, path] of queries) {
        const times: number[] = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const start = process.hrtime.bigint();
          const res = await fetch(`http://127.0.0.1:${port}${path}`, {
            headers: { authorization },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
          if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        times.sort((a, b) => a - b);
        const at = (q: number) =>
          times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
        out(`| ${name} | ${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} | ${RUNS} |`);
      }
    } finally {
      await app.close();
    }
    const [{ server_version }] = (await db.query('SHOW server_version')) as {
      server_version: string;
    }[];
    out('');
    out(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
        `Node ${process.version}, PostgreSQL ${server_version}; load ${loadSeconds} s, projections ${projectSeconds} s`,
    );
  } finally {
    await store.close();
    await db.destroy();
    if (!KEEP) await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
