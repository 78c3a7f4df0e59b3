/**
 * `npm run bench:all`: every benchmark, one after the other, in one session on one machine, and
 * then one table of the targets with our figure and, where the peer runs the same
 * workload, Emmett's beside it (from `bench:peer`, the same session). Each script's own output is
 * shown as it runs and kept in `bench-results/<UTC time>/<script>.txt`; the table goes to
 * `summary.md` there too.
 *
 * Sizes are the issue's: 1M families for the queries and the return, 1M events for the rebuild,
 * and with `--full` the 10M-event rebuild as well (about 15 minutes more). The whole run takes
 * about half an hour (an hour with --full). It waits once for a quiet machine at the start; the
 * scripts then run back to back (each prints the load average it started and ended at, which
 * includes the one before).
 *
 * Options: --full, --only name,name (e.g. --only append,http), --no-wait.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAverage, machine, out, waitForQuiet } from './support/append-workload';

const ROOT = join(__dirname, '..');
const FULL = process.argv.includes('--full');
const WAIT = !process.argv.includes('--no-wait');
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set(process.argv[i + 1].split(',')) : undefined;
})();

interface Step {
  name: string;
  script: string;
  args: string[];
}

const STEPS: Step[] = [
  { name: 'append', script: 'append', args: [] },
  { name: 'peer', script: 'peer', args: [] },
  { name: 'http', script: 'http', args: [] },
  { name: 'query', script: 'query', args: ['--families', '1000000'] },
  { name: 'return', script: 'return', args: ['--families', '1000000'] },
  { name: 'rebuild', script: 'rebuild', args: ['--events', '1000000'] },
  ...(FULL ? [{ name: 'rebuild-10m', script: 'rebuild', args: ['--events', '10000000'] }] : []),
];

/** Runs one script, echoing its output, and returns what it printed on stdout. */
function run(step: Step, dir: string): Promise<{ text: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'register.js'), join(ROOT, 'bench', `${step.script}.ts`)]
        .concat(step.args)
        .concat('--no-wait'),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => {
      writeFileSync(join(dir, `${step.name}.txt`), text);
      resolve({ text, code });
    });
  });
}

/** The cells of the first table row whose first cell starts with `label`. */
function row(text: string | undefined, label: string): string[] | undefined {
  const line = text
    ?.split('\n')
    .find((l) => l.startsWith('|') && l.slice(1).trim().startsWith(label));
  return line
    ?.split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

const number = (cell: string | undefined) =>
  cell === undefined ? NaN : Number(cell.replace(/[,×\s]|MB$/g, ''));

interface Line {
  measure: string;
  target: string;
  ours: string;
  peer: string;
  met: boolean | undefined;
}

function summary(results: Map<string, string>): Line[] {
  const lines: Line[] = [];
  const add = (
    measure: string,
    target: string,
    ours: string | undefined,
    met: boolean | undefined,
    peer = '',
  ) => lines.push({ measure, target, ours: ours ?? 'not run', peer, met });
  const append = results.get('append');
  const peer = results.get('peer');
  const peerRow = (label: string) => row(peer, label);

  const single = row(append, '16 writers, single-event');
  const singlePeer = peerRow('16 writers, single-event');
  add(
    'appends, 16 concurrent single-event writers',
    '≥ 5,000 events/s, p99 ≤ 10 ms',
    single && `${single[1]} events/s, p99 ${single[3]} ms`,
    single && number(single[1]) >= 5000 && number(single[3]) <= 10,
    singlePeer &&
      `ours ${singlePeer[1]}, Emmett ${singlePeer[2]} events/s: **${singlePeer[3]}**; p99 ${singlePeer[4].split('/')[1]?.trim()} / ${singlePeer[5].split('/')[1]?.trim()} ms`,
  );
  const batches = row(append, '16 writers, 10-event');
  const batchesPeer = peerRow('16 writers, 10-event');
  add(
    'appends, 16 writers, 10-event batches',
    '(no target)',
    batches && `${batches[1]} events/s, p99 ${batches[3]} ms`,
    undefined,
    batchesPeer &&
      `ours ${batchesPeer[1]}, Emmett ${batchesPeer[2]} events/s: **${batchesPeer[3]}**`,
  );
  const bulk = row(append, 'bulk');
  const bulkPeer = peerRow('bulk');
  add(
    'bulk import',
    '≥ 25,000 events/s',
    bulk && `${bulk[1]} events/s`,
    bulk && number(bulk[1]) >= 25000,
    bulkPeer && `ours ${bulkPeer[1]}, Emmett ${bulkPeer[2]} events/s: **${bulkPeer[3]}**`,
  );
  const projection = peerRow('projection catch-up');
  add(
    'projection throughput (catch-up, peer workload)',
    'ours ≥ 1.0× Emmett',
    projection && `${projection[1]} events/s`,
    projection && number(projection[3]) >= 1,
    projection && `Emmett ${projection[2]} events/s: **${projection[3]}**`,
  );
  const ratios = ['16 writers, single-event', '16 writers, 10-event', 'bulk', 'projection'].map(
    (l) => number(peerRow(l)?.[3]),
  );
  add(
    'peer ratio, every workload',
    '≥ 1.0×',
    peer && `lowest ${Math.min(...ratios).toFixed(2)}×`,
    peer ? ratios.every((r) => r >= 1) : undefined,
  );

  const http = row(results.get('http'), String(32));
  const lag = http?.[6].split('/').map((s) => number(s));
  add(
    'HTTP recording (API + live projections), 32 clients',
    '≥ 1,000 requests/s, p95 ≤ 50 ms, lag p99 ≤ 1 s',
    http && `${http[2]} requests/s, p95 ${http[4]} ms, lag p99 ${lag?.[1]} ms`,
    http && number(http[2]) >= 1000 && number(http[4]) <= 50 && (lag?.[1] ?? Infinity) <= 1000,
  );

  const rebuild = (name: string, events: string) => {
    const r = row(results.get(name), '1,0') ?? row(results.get(name), '10,');
    add(
      `projection rebuild, ${events} events`,
      '≥ 50,000 events/s; peak RSS ≤ 512 MB',
      r && `${r[r.length - 2]} events/s, peak RSS ${r[r.length - 1]}`,
      r && number(r[r.length - 2]) >= 50000 && number(r[r.length - 1]) <= 512,
    );
  };
  rebuild('rebuild', '1M');
  if (FULL) rebuild('rebuild-10m', '10M');

  const query = results.get('query');
  for (const [label, target, limit] of [
    ['outcomes, narrow', 'p95 ≤ 10 ms', 10],
    ['outcomes, national (', 'p95 ≤ 250 ms', 250],
  ] as const) {
    const q = row(query, label);
    add(
      `${label.replace(' (', '')} query, 1M families`,
      target,
      q && `p50 ${q[1]} ms, p95 ${q[2]} ms`,
      q && number(q[2]) <= limit,
    );
  }
  const national = row(results.get('return'), 'national');
  add(
    'national return, 1M families',
    '≤ 30 s',
    national && `${national[2]} s (build, median), peak RSS ${national[5]}`,
    national && number(national[2]) <= 30,
  );
  return lines;
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(ROOT, 'bench-results', stamp);
  mkdirSync(dir, { recursive: true });
  out(`# all benchmarks, one session: ${new Date().toISOString()}, results in ${dir}`);
  if (WAIT) await waitForQuiet(1.0, 10);
  const startLoad = loadAverage();
  const results = new Map<string, string>();
  const codes: string[] = [];
  for (const step of STEPS.filter((s) => !ONLY || ONLY.has(s.name))) {
    out(`\n## ${step.name} (${new Date().toISOString()}, load average ${loadAverage()})\n`);
    const { text, code } = await run(step, dir);
    results.set(step.name, text);
    codes.push(`${step.name} ${code}`);
  }
  const table = [
    `# Issue 7 targets, one session (${stamp}; load average at start ${startLoad}, end ${loadAverage()})`,
    '',
    '| measure | target | ours | Emmett, same session | met? |',
    '| --- | --- | --- | --- | --- |',
    ...summary(results).map(
      (l) =>
        `| ${l.measure} | ${l.target} | ${l.ours} | ${l.peer || '–'} | ${l.met === undefined ? '–' : l.met ? 'yes' : '**no**'} |`,
    ),
    '',
    `scripts' exit codes: ${codes.join(', ')}`,
    `machine: ${machine()}`,
  ].join('\n');
  writeFileSync(join(dir, 'summary.md'), `${table}\n`);
  out(`\n${table}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
