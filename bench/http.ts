/**
 * `npm run bench:http`: end-to-end recording over HTTP, as in production: the API and the worker
 * run as two processes on a fresh schema (both migrate on start; the worker runs the projections;
 * follow-up scheduling is off, so no Redis is needed), and `--concurrency` (32) clients record
 * family histories (a referral, then the family's events one request each) with real bearer
 * tokens, for `--seconds` (20) after a `--warmup` (5 s). Prints requests/s, p50/p95/p99 latency,
 * and the projection lag: for every request, the time from its response until every projection's
 * checkpoint has passed the position it returned (sampled every 25 ms), p50/p99.
 *
 * Options: --concurrency N (32), --seconds N (20), --warmup N (5), --keep, --no-wait.
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local `test` database.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createPool, quoteIdent } from '@app/event-store';
import { issueToken } from '@app/security';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  arg,
  cpuSeconds,
  describeDatabase,
  fmt,
  loadAverage,
  machine,
  out,
  postgresCpuSeconds,
  waitForQuiet,
} from './support/append-workload';

const CONCURRENCY = arg('concurrency', 32);
const SECONDS = arg('seconds', 20);
const WARMUP = arg('warmup', 5);
const PORT = arg('port', 3000 + Math.floor(Math.random() * 1000) + 40_000 - 3000);
const KEEP = process.argv.includes('--keep');
const WAIT = !process.argv.includes('--no-wait');
const ROOT = join(__dirname, '..');
const PROJECTIONS = ['families', 'family_timeline', 'outcomes', 'follow_ups'];

function start(main: string, env: Record<string, string>): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '-r', join(ROOT, 'scripts', 'register.js'), main],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  child.on('exit', (code, signal) => {
    if (code !== null && code !== 0) process.stderr.write(`${main} exited ${code ?? signal}\n`);
  });
  return child;
}

async function until(what: string, ok: () => Promise<boolean>, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One family's history as requests: the referral, then one event each (occurredAt in order). */
function story(i: number, authority: string): { path: string; body: object }[] {
  const day = (d: number) => new Date(Date.UTC(2025, 0, 1 + (i % 300) + d)).toISOString();
  const events: [string, number, object][] = [
    ['InterventionOffered', 3, {}],
    ['InterventionAccepted', 5, {}],
    ['KeyWorkerAssigned', 6, { workerId: `kw-${i % 7}` }],
    ['SupportPlanAgreed', 10, { domains: ['asb'], plannedWeeklyHours: 9 }],
    ['ReviewHeld', 40, { weeklyContactHours: 8 }],
    ['AsbIncidentRecorded', 50, { asbType: 'noise', sourceAgency: 'police' }],
    ['ReviewHeld', 90, { weeklyContactHours: 6 }],
    ['FamilyExited', 200, { exitType: i % 3 ? 'planned' : 'disengaged' }],
  ];
  return [
    {
      path: '/v1/families',
      body: {
        authority,
        programme: 'fip',
        referral: { source: 'police', reasons: ['asb'], occurredAt: day(0) },
      },
    },
    ...events.map(([type, d, data]) => ({
      path: '/v1/families/:id/events',
      body: { type, occurredAt: day(d), data },
    })),
  ];
}

interface Sample {
  at: number;
  ms: number;
  position: bigint;
  lag?: number;
}

async function main(): Promise<void> {
  const admin: Pool = createPool({ url: DATABASE_URL, max: 2 });
  const schema = `bench_http_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const secret = randomBytes(32).toString('hex');
  const env = {
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    EVENT_STORE: 'postgres',
    AUTH_JWT_SECRET: secret,
    FOLLOW_UPS: 'off',
    RETURNS: 'off',
    RATE_LIMIT: 'off', // 32 clients on 5 tokens would meet the per-caller limit
    PORT: String(PORT),
    HOST: '127.0.0.1',
  };
  const children: ChildProcess[] = [];
  try {
    const database = await describeDatabase(admin);
    out(
      `# HTTP benchmark: ${CONCURRENCY} clients, ${SECONDS} s after ${WARMUP} s warm-up, schema ${schema}`,
    );
    children.push(start(join(ROOT, 'apps', 'api', 'src', 'main.ts'), env));
    const base = `http://127.0.0.1:${PORT}`;
    await until('API', async () => (await fetch(`${base}/health`)).ok);
    children.push(start(join(ROOT, 'apps', 'worker', 'src', 'main.ts'), env));
    await until('worker', async () => {
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${quoteIdent(schema)}.projection_checkpoints`,
      );
      return Number(rows[0].n) >= PROJECTIONS.length;
    });
    if (WAIT) await waitForQuiet(1.5, 3);

    const authorities = ['la_1', 'la_2', 'la_3', 'la_4', 'la_5'];
    const tokens = new Map(
      authorities.map((a) => [
        a,
        `Bearer ${issueToken(secret, { subject: `bench.${a}`, role: 'keyworker', authority: a }, { expiresInSeconds: 3600 })}`,
      ]),
    );
    // node:http with keep-alive rather than fetch: fetch cost ~1 ms of CPU a request here, on
    // the same two cores as the server it measures.
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const post = (path: string, authorization: string, body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${base}${path}`,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              authorization,
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const samples: Sample[] = [];
    const errors = new Map<string, number>();
    const t0 = Date.now();
    const measureFrom = t0 + WARMUP * 1000;
    const end = measureFrom + SECONDS * 1000;
    let family = 0;
    const client = async () => {
      while (Date.now() < end) {
        const i = family++;
        const authority = authorities[i % authorities.length];
        let familyId = '';
        for (const step of story(i, authority)) {
          if (Date.now() >= end) return;
          const started = performance.now();
          const res = await post(
            `${step.path.replace(':id', familyId)}`,
            tokens.get(authority)!,
            JSON.stringify(step.body),
          );
          const body = JSON.parse(res.body) as { familyId?: string; position?: string };
          const ms = performance.now() - started;
          if (res.status !== 201 && res.status !== 200) {
            const key = `${res.status} ${step.path}`;
            errors.set(key, (errors.get(key) ?? 0) + 1);
            break;
          }
          if (body.familyId) familyId = body.familyId;
          if (Date.now() >= measureFrom) {
            samples.push({ at: Date.now(), ms, position: BigInt(body.position!) });
          }
        }
      }
    };
    // Projection lag: every 25 ms, the lowest checkpoint; a request's lag ends when it passes.
    let sampling = true;
    let unresolved: Sample[] = [];
    let seen = 0;
    const sampler = (async () => {
      for (;;) {
        const { rows } = await admin.query<{ p: string | null }>(
          `SELECT min(position) AS p FROM ${quoteIdent(schema)}.projection_checkpoints WHERE name = ANY($1)`,
          [PROJECTIONS],
        );
        const checkpoint = BigInt(rows[0].p ?? 0);
        const now = Date.now();
        unresolved.push(...samples.slice(seen));
        seen = samples.length;
        unresolved = unresolved.filter((s) => {
          if (s.position > checkpoint) return true;
          s.lag = now - s.at;
          return false;
        });
        if (!sampling && (unresolved.length === 0 || now > end + 60_000)) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const loadStart = loadAverage();
    // CPU by process over the measured window: where each request's cost goes.
    const [api, worker] = children.map((c) => c.pid!);
    const cpu = () => ({
      api: cpuSeconds(api),
      worker: cpuSeconds(worker),
      postgres: postgresCpuSeconds(),
      client: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      at: Date.now(),
    });
    let cpuFrom = cpu();
    let cpuTo = cpuFrom;
    setTimeout(() => (cpuFrom = cpu()), measureFrom - Date.now());
    const stopCpu = setTimeout(() => (cpuTo = cpu()), end - Date.now());
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    agent.destroy();
    clearTimeout(stopCpu);
    if (cpuTo === cpuFrom) cpuTo = cpu();
    sampling = false;
    await sampler;
    const loadEnd = loadAverage();

    const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
    const lags = samples.map((s) => s.lag ?? Infinity).sort((a, b) => a - b);
    const q = (xs: number[], p: number) =>
      xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)];
    out('');
    out(
      '| clients | requests | requests/s | p50 ms | p95 ms | p99 ms | projection lag p50 / p99 ms | errors |',
    );
    out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    out(
      `| ${CONCURRENCY} | ${fmt(samples.length)} | ${fmt(samples.length / SECONDS)} | ${q(latencies, 0.5).toFixed(1)} | ${q(latencies, 0.95).toFixed(1)} | ${q(latencies, 0.99).toFixed(1)} | ${fmt(q(lags, 0.5))} / ${fmt(q(lags, 0.99))} | ${[...errors.values()].reduce((a, b) => a + b, 0)} |`,
    );
    out('');
    if (errors.size)
      out(`errors: ${[...errors.entries()].map(([k, n]) => `${k} × ${n}`).join(', ')}`);
    out(
      `each request: one event (a referral, or one of 8 events of that family), a bearer token; projections: ${PROJECTIONS.join(', ')}`,
    );
    const n = samples.length;
    const per = (k: 'api' | 'worker' | 'postgres' | 'client') =>
      ((1000 * (cpuTo[k] - cpuFrom[k])) / n).toFixed(2);
    const total = (['api', 'worker', 'postgres', 'client'] as const).reduce(
      (sum, k) => sum + (cpuTo[k] - cpuFrom[k]),
      0,
    );
    const seconds = (cpuTo.at - cpuFrom.at) / 1000;
    out(
      `CPU per request (ms, measured window): API ${per('api')}, worker ${per('worker')}, PostgreSQL (all its processes) ${per('postgres')}, this client ${per('client')}; ` +
        `total ${((1000 * total) / n).toFixed(2)} ms, ${(total / seconds).toFixed(2)} of ${cpus().length} cores busy`,
    );
    out(`machine: ${machine()}; API and worker one Node process each`);
    out(`database: ${database}`);
    out(`load average (1, 5, 15 min): start ${loadStart}, end ${loadEnd}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    if (!KEEP) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
