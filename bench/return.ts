/**
 * `npm run bench:return -- --families 100000` (and 1000000): how long a return takes to build
 * at national scale, and the building process's peak memory. A national return (every authority)
 * and one authority's, each for a financial year, as at the head, built by the real CLI
 * (`outcomes return`) in a child process whose peak RSS (VmHWM) is sampled from /proc.
 *
 * The read models are loaded as for `bench:query` (`support/read-models.ts`): 5,000 families
 * through the event store and a rebuild, their rows copied under fresh ids over 150 authorities
 * up to `--families`. As at the head every family is settled, so the builder reads them from the
 * read models in SQL; only families with events after the position would be folded in Node.
 *
 * Options: --families N (100,000), --runs N (3), --seed-families N (5,000), --period (FY2025-26),
 * --keep, --no-wait. Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else local `test`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDataSource,
  createPool,
  eventStoreMigrations,
  migrate,
  quoteIdent,
} from '@app/event-store';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { returnsMigrations } from '@app/returns';
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
import { loadReadModels } from './support/read-models';

const ROOT = join(__dirname, '..');
const FAMILIES = arg('families', 100_000);
const SEED_FAMILIES = Math.min(arg('seed-families', 5000), FAMILIES);
const RUNS = arg('runs', 3);
const AUTHORITIES = 150;
const PERIOD = (() => {
  const i = process.argv.indexOf('--period');
  return i > 0 ? process.argv[i + 1] : 'FY2025-26';
})();
const KEEP = process.argv.includes('--keep');
const WAIT = !process.argv.includes('--no-wait');

interface Built {
  /** Wall time of the command (process start to exit). */
  seconds: number;
  /** The build itself: the request stored to the content saved (`returns` timestamps). */
  buildSeconds: number;
  peakRssMb: number;
  out: string;
  id: string;
}

/** The real CLI (`outcomes return`) in a child process, its peak RSS sampled from /proc. */
function buildReturn(schema: string, authority: string, file: string): Promise<Built> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(ROOT, 'scripts', 'register.js'),
        join(ROOT, 'apps', 'cli', 'src', 'main.ts'),
        'return',
        '--authority',
        authority,
        '--period',
        PERIOD,
        '--format',
        'json',
        '--out',
        file,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL, DATABASE_SCHEMA: schema, EVENT_STORE: 'postgres' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const peak = trackPeakRss(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const peakRssMb = peak.stop();
      const seconds = (Date.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`return exited ${code}: ${stdout} ${stderr}`));
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as { id: string; out: string };
      resolve({
        seconds,
        buildSeconds: 0,
        peakRssMb,
        out: result.out,
        id: result.id,
      });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const schema = `bench_ret_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ url: DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const db = createDataSource({ url: DATABASE_URL, schema, max: 20 }, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
    ...returnsMigrations,
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-return-'));
  try {
    const database = await describeDatabase(admin);
    await migrate(db);
    out(
      `# return benchmark: ${fmt(FAMILIES)} families over ${AUTHORITIES} authorities, period ${PERIOD}, schema ${schema}`,
    );
    const loaded = await loadReadModels(db, schema, {
      families: FAMILIES,
      seedFamilies: SEED_FAMILIES,
      authorities: AUTHORITIES,
    });
    out(
      `loaded ${fmt(loaded.families)} families, ${fmt(loaded.episodes)} episodes, ${fmt(loaded.followUps)} scheduled follow-ups in ${loaded.seconds.toFixed(0)} s (${fmt(SEED_FAMILIES)} through the event store and rebuild, the rest copied)`,
    );
    if (WAIT) await waitForQuiet(1.5, 3);
    const loadStart = loadAverage();
    const rows: string[] = [];
    let check = '';
    for (const [label, authority] of [
      ['national (every authority)', 'national'],
      ['one authority (la_3)', 'la_3'],
    ]) {
      const runs: Built[] = [];
      for (let i = 0; i < RUNS; i++) {
        const built = await buildReturn(schema, authority, join(dir, `${authority}-${i}.json`));
        const [r] = (await db.query(
          `SELECT extract(epoch FROM built_at - requested_at)::float AS s, sha256 FROM returns
           WHERE return_id = $1`,
          [built.id],
        )) as { s: number; sha256: string }[];
        built.buildSeconds = r.s;
        runs.push(built);
        process.stderr.write(
          `  ${authority} run ${i + 1}: ${built.buildSeconds.toFixed(1)} s build, ${built.seconds.toFixed(1)} s command, ${fmt(built.peakRssMb)} MB, ${r.sha256.slice(0, 12)}\n`,
        );
      }
      const content = JSON.parse(readFileSync(runs[0].out, 'utf8')) as {
        sections: {
          tables: { id: string; rows: { id: string; values: Record<string, unknown> }[] }[];
        }[];
      };
      const referrals = content.sections.flatMap((s) => s.tables).find((t) => t.id === 'referrals')
        ?.rows[0]?.values.referred;
      check += `${authority}: ${typeof referrals === 'number' ? fmt(referrals) : String(referrals)} families referred in the period; `;
      const build = runs.map((r) => r.buildSeconds);
      rows.push(
        `| ${label} | ${RUNS} | ${median(build).toFixed(1)} | ${Math.min(...build).toFixed(1)} – ${Math.max(...build).toFixed(1)} | ${median(runs.map((r) => r.seconds)).toFixed(1)} | ${fmt(Math.max(...runs.map((r) => r.peakRssMb)))} MB |`,
      );
    }
    const loadEnd = loadAverage();
    out('');
    out(
      `| return, ${PERIOD}, as at the head (${fmt(loaded.families)} families) | runs | build s (median) | build s (min – max) | command s (median) | peak RSS (CLI process) |`,
    );
    out('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) out(row);
    out('');
    out(
      `build: the request stored to the content saved (\`returns\` timestamps); command: the whole CLI process, start-up and catch-up included`,
    );
    out(`content: ${check.trim()}`);
    out(`machine: ${machine()}`);
    out(`database: ${database}`);
    out(`load average (1, 5, 15 min): start ${loadStart}, end ${loadEnd}`);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (!KEEP) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
