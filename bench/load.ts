/**
 * `npm run bench:load`: a steady, open-loop write load over HTTP (default 200 requests/s for 60 s)
 * of mixed family events, with queries running meanwhile, then a check that every accepted write
 * is in the event store. Prints the achieved rate, error rate, 5xx count and p50/p95/p99 latency
 * of writes and of queries.
 *
 * By default it starts the built API and worker (`npm run build` first) on a fresh schema of the
 * `test` database and drops it afterwards; `--url http://host:port` loads a running API instead
 * (the zero-loss check then needs DATABASE_URL and DATABASE_SCHEMA of that API, else it is skipped).
 *
 * Options: --rate N (writes/s, 200), --seconds N (60), --query-rate N (queries/s, 10),
 * --max-in-flight N (writes outstanding before the load counts as falling behind, 500),
 * --url URL, --keep (leave the schema).
 *
 * Writes: 15 % referrals (with a member's name, date of birth and address, so sealing is on the
 * path), the rest the next step of a family's lifecycle (offer, accept, key worker, plan, reviews,
 * incidents, assessments, support, exit), one request in flight per family so none conflicts.
 * Every write carries its own id, so "accepted" can be checked exactly in the log.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createPool, quoteIdent } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { as } from '../test/support/auth';
import { DATABASE_URL, arg, fmt, loadAverage, machine, out } from './support/append-workload';

const RATE = arg('rate', 200);
const SECONDS = arg('seconds', 60);
const QUERY_RATE = arg('query-rate', 10);
const MAX_IN_FLIGHT = arg('max-in-flight', 500);
const urlArg = process.argv.indexOf('--url');
const GIVEN_URL = urlArg > 0 ? process.argv[urlArg + 1] : undefined;
const AUTHORITIES = ['load_a', 'load_b', 'load_c', 'load_d'];
const DAY = 86_400_000;

const dist = (app: string) => join(__dirname, '..', 'dist', 'apps', app, 'src', 'main.js');

interface Family {
  familyId: string;
  authority: string;
  referredAt: number;
  step: number;
  busy: boolean;
  /** When the API accepted the referral (performance.now()), if it did. */
  acceptedAt?: number;
}

/** The lifecycle each family goes through, one request per step, dates in order. */
const STEPS: ((f: Family) => { type: string; day: number; data: Record<string, unknown> })[] = [
  () => ({
    type: 'DomainAssessmentRecorded',
    day: 1,
    data: { stage: 'referral', asbTypes: ['noise', 'threats'], educationProblems: true },
  }),
  () => ({ type: 'InterventionOffered', day: 3, data: {} }),
  () => ({ type: 'InterventionAccepted', day: 6, data: {} }),
  (f) => ({
    type: 'KeyWorkerAssigned',
    day: 7,
    data: { workerId: `kw-${f.familyId.slice(0, 4)}` },
  }),
  () => ({
    type: 'SupportPlanAgreed',
    day: 10,
    data: { domains: ['asb', 'education'], plannedWeeklyHours: 9 },
  }),
  () => ({ type: 'SupportDelivered', day: 20, data: { supportType: 'parenting', hours: 3 } }),
  () => ({
    type: 'AsbIncidentRecorded',
    day: 30,
    data: { asbType: 'noise', sourceAgency: 'police' },
  }),
  () => ({ type: 'ReviewHeld', day: 60, data: { weeklyContactHours: 7 } }),
  () => ({ type: 'ReviewHeld', day: 120, data: { weeklyContactHours: 6 } }),
  () => ({
    type: 'DomainAssessmentRecorded',
    day: 200,
    data: { stage: 'exit', asbTypes: [], educationProblems: false },
  }),
  () => ({ type: 'FamilyExited', day: 201, data: { exitType: 'planned' } }),
];

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url)
      .then((r) => r.status < 500)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  // Tokens for the load are signed with this key; the API started here verifies with the same.
  process.env.AUTH_JWT_SECRET ??= `bench-load-${randomUUID()}${randomUUID()}`;
  let base = GIVEN_URL;
  let database: { url: string; schema?: string } | undefined =
    process.env.DATABASE_URL && process.env.DATABASE_SCHEMA
      ? { url: process.env.DATABASE_URL, schema: process.env.DATABASE_SCHEMA }
      : undefined;
  const children: ChildProcess[] = [];
  let drop: (() => Promise<void>) | undefined;

  if (!base) {
    for (const app of ['api', 'worker']) {
      if (!existsSync(dist(app))) throw new Error(`${dist(app)} is missing: run npm run build`);
    }
    const schema = await createTestSchema('load');
    drop = schema.drop;
    database = { url: DATABASE_URL, schema: schema.config.schema };
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL,
      DATABASE_SCHEMA: schema.config.schema,
      EVENT_STORE: 'postgres',
      // Projections only: the follow-up scheduler has its own benchmark (bench:followups).
      FOLLOW_UPS: 'off',
      PORT: String(port),
      HOST: '127.0.0.1',
      PII_MASTER_KEY: process.env.PII_MASTER_KEY ?? randomUUID().replace(/-/g, '').repeat(2),
    };
    const api = spawn(process.execPath, [dist('api')], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health`, 60_000);
    // The worker after the API, so the migrations have run once.
    children.push(
      spawn(process.execPath, [dist('worker')], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
    );
  }

  out(`# bench:load — ${machine()}; load average before: ${loadAverage()}`);
  out(`# ${RATE} writes/s for ${SECONDS} s against ${base}, ${QUERY_RATE} queries/s meanwhile`);
  out('# the machine is shared with other work: figures are a floor, not a capacity');

  const families: Family[] = [];
  const acceptedEvents: string[] = [];
  const acceptedFamilies: string[] = [];
  const writeLatency: number[] = [];
  const queryLatency: number[] = [];
  const writeStatus = new Map<number, number>();
  const queryStatus = new Map<number, number>();
  /** Requests that got no HTTP answer at all, by the client's reason. */
  const noAnswer = new Map<string, number>();
  let inFlight = 0;
  let skipped = 0;
  let sent = 0;
  let queriesSent = 0;
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const bump = (m: Map<number, number>, status: number) => m.set(status, (m.get(status) ?? 0) + 1);

  const request = async (
    method: 'GET' | 'POST',
    path: string,
    role: Parameters<typeof as>,
    body?: unknown,
  ) => {
    const started = performance.now();
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...as(...role) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      return { status: res.status, json, ms: performance.now() - started };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; name?: string } }).cause;
      const why = cause?.code ?? cause?.name ?? (error as Error).name;
      noAnswer.set(why, (noAnswer.get(why) ?? 0) + 1);
      return { status: 0, json: undefined, ms: performance.now() - started };
    }
  };

  const write = async () => {
    const idle = families.filter((f) => !f.busy && f.step < STEPS.length);
    const referral = families.length < 20 || idle.length === 0 || Math.random() < 0.15;
    if (referral) {
      const familyId = randomUUID();
      const authority = AUTHORITIES[families.length % AUTHORITIES.length];
      // Referred 1–2 years ago, so the whole lifecycle lies in the past.
      const referredAt = Date.now() - (400 + Math.floor(Math.random() * 300)) * DAY;
      const family: Family = { familyId, authority, referredAt, step: 0, busy: true };
      families.push(family);
      const res = await request('POST', '/v1/families', ['keyworker', authority], {
        familyId,
        authority,
        programme: 'fip',
        referral: {
          source: 'police',
          reasons: ['asb'],
          occurredAt: new Date(referredAt).toISOString(),
        },
        members: [
          {
            memberId: 'p1',
            role: 'parent',
            name: `Load Parent ${families.length}`,
            dateOfBirth: '1985-06-15',
            address: `${families.length} Bench Street`,
          },
          { memberId: 'c1', role: 'child' },
        ],
      });
      family.busy = false;
      if (res.status !== 201)
        family.step = STEPS.length; // never referred: no further steps
      else {
        acceptedFamilies.push(familyId);
        family.acceptedAt = performance.now();
      }
      return res;
    }
    const family = idle[Math.floor(Math.random() * idle.length)];
    family.busy = true;
    const step = STEPS[family.step](family);
    const id = randomUUID();
    const res = await request(
      'POST',
      `/v1/families/${family.familyId}/events`,
      ['keyworker', family.authority],
      {
        id,
        type: step.type,
        occurredAt: new Date(family.referredAt + step.day * DAY).toISOString(),
        data: step.data,
      },
    );
    family.busy = false;
    if (res.status === 201) {
      acceptedEvents.push(id);
      family.step++;
    }
    return res;
  };

  const query = async () => {
    const authority = AUTHORITIES[queriesSent % AUTHORITIES.length];
    // A timeline a few seconds old: reads trail writes by the projection lag, by design.
    const settled = families.filter((f) => f.acceptedAt && f.acceptedAt < performance.now() - 5000);
    const known = settled[Math.floor(Math.random() * settled.length)];
    const choices: [string, Parameters<typeof as>][] = [
      [`/v1/outcomes?authority=${authority}&cohort=all_exits`, ['evaluator', null]],
      [`/v1/cohorts/summary?authority=${authority}`, ['evaluator', null]],
      [`/v1/families?authority=${authority}&limit=50`, ['keyworker', authority]],
      ...(known
        ? ([[`/v1/families/${known.familyId}/timeline`, ['keyworker', known.authority]]] as [
            string,
            Parameters<typeof as>,
          ][])
        : []),
    ];
    const [path, role] = choices[queriesSent % choices.length];
    return request('GET', path, role);
  };

  // Open loop: requests start on schedule whatever the latency, as real clients would.
  const started = performance.now();
  const end = started + SECONDS * 1000;
  const writeEvery = 1000 / RATE;
  const queryEvery = 1000 / QUERY_RATE;
  let nextWrite = started;
  let nextQuery = started;
  while (performance.now() < end) {
    const now = performance.now();
    while (nextWrite <= now) {
      nextWrite += writeEvery;
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      inFlight++;
      sent++;
      track(
        write().then((r) => {
          inFlight--;
          writeLatency.push(r.ms);
          bump(writeStatus, r.status);
        }),
      );
    }
    while (nextQuery <= now) {
      nextQuery += queryEvery;
      queriesSent++;
      track(
        query().then((r) => {
          queryLatency.push(r.ms);
          bump(queryStatus, r.status);
        }),
      );
    }
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Math.min(nextWrite, nextQuery) - performance.now())),
    );
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all([...pending]);
  const drained = (performance.now() - started) / 1000;

  const sum = (m: Map<number, number>, pick: (s: number) => boolean) =>
    [...m.entries()].filter(([s]) => pick(s)).reduce((a, [, n]) => a + n, 0);
  const writes = sum(writeStatus, () => true);
  const writeErrors = sum(writeStatus, (s) => s < 200 || s >= 300);
  const queries = sum(queryStatus, () => true);
  const queryErrors = sum(queryStatus, (s) => s < 200 || s >= 300);
  const w = [...writeLatency].sort((a, b) => a - b);
  const q = [...queryLatency].sort((a, b) => a - b);
  const ms = (n: number) => `${fmt(n, 1)} ms`;
  const statuses = (m: Map<number, number>) =>
    [...m.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s === 0 ? 'no answer' : s}: ${fmt(n)}`)
      .join(', ');

  out('');
  out('| measure                 | writes                 | queries                |');
  out('| ----------------------- | ---------------------- | ---------------------- |');
  const row = (name: string, a: string, b: string) =>
    out(`| ${name.padEnd(23)} | ${a.padEnd(22)} | ${b.padEnd(22)} |`);
  row('requests', fmt(writes), fmt(queries));
  row('achieved rate', `${fmt(writes / drained, 1)} /s`, `${fmt(queries / drained, 1)} /s`);
  row(
    'error rate (non-2xx)',
    `${fmt((100 * writeErrors) / Math.max(1, writes), 2)} %`,
    `${fmt((100 * queryErrors) / Math.max(1, queries), 2)} %`,
  );
  row('5xx', fmt(sum(writeStatus, (s) => s >= 500)), fmt(sum(queryStatus, (s) => s >= 500)));
  row('p50 latency', ms(percentile(w, 50)), ms(percentile(q, 50)));
  row('p95 latency', ms(percentile(w, 95)), ms(percentile(q, 95)));
  row('p99 latency', ms(percentile(w, 99)), ms(percentile(q, 99)));
  row('max latency', ms(w[w.length - 1] ?? NaN), ms(q[q.length - 1] ?? NaN));
  out('');
  out(`# write statuses: ${statuses(writeStatus)}; query statuses: ${statuses(queryStatus)}`);
  if (noAnswer.size) {
    out(
      `# no answer: ${[...noAnswer.entries()].map(([why, n]) => `${why}: ${fmt(n)}`).join(', ')}`,
    );
  }
  out(
    `# scheduled ${fmt(sent + skipped)} writes in ${fmt(elapsed, 1)} s; ${fmt(skipped)} not sent (over ${fmt(MAX_IN_FLIGHT)} in flight); all answered after ${fmt(drained, 1)} s`,
  );

  let lost = -1;
  if (database) {
    const pool = createPool({ url: database.url, max: 2 });
    try {
      const schema = database.schema ? `${quoteIdent(database.schema)}.` : '';
      const { rows: e } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}events WHERE event_id = ANY($1::uuid[])`,
        [acceptedEvents],
      );
      const { rows: f } = await pool.query<{ n: number }>(
        `SELECT count(DISTINCT stream_id)::int AS n FROM ${schema}events
         WHERE stream_id = ANY($1::text[]) AND type = 'FamilyReferred'`,
        [acceptedFamilies.map((id) => `family-${id}`)],
      );
      lost = acceptedEvents.length - e[0].n + (acceptedFamilies.length - f[0].n);
      out(
        `# accepted: ${fmt(acceptedFamilies.length)} referrals and ${fmt(acceptedEvents.length)} events; found in the store: ${fmt(f[0].n)} and ${fmt(e[0].n)}; lost: ${fmt(lost)}`,
      );
    } finally {
      await pool.end();
    }
  } else {
    out('# zero-loss check skipped: set DATABASE_URL and DATABASE_SCHEMA of the API under load');
  }
  out(`# load average after: ${loadAverage()}`);

  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))),
  );
  if (drop && !process.argv.includes('--keep')) await drop();
  const fiveHundreds =
    sum(writeStatus, (s) => s >= 500 || s === 0) + sum(queryStatus, (s) => s >= 500 || s === 0);
  if (lost > 0 || fiveHundreds > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
