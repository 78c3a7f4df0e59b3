/**
 * The append workloads shared by `bench:append` (our store alone) and `bench:peer` (ours beside
 * Emmett): the same writers, batch sizes and payloads for whichever store is plugged in, so the
 * two benchmarks measure one thing the same way.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { NewEvent } from '@app/event-store';
import { familyStreamId } from '@app/domain';
import { familyStream, toNewEvents } from '@app/workload';
import { Pool } from 'pg';

/** One store's append, as the workloads use it: expected revision in, next revision out. */
export interface Appender {
  readonly name: string;
  /** `expected` is the stream's last revision (0-based), or null for a stream that must not exist. */
  append(streamId: string, events: NewEvent[], expected: bigint | null): Promise<bigint>;
}

export interface WorkloadSizes {
  /** Concurrent writers (16 in the target). */
  writers: number;
  /** Family streams each writer owns and cycles through. */
  streamsPerWriter: number;
  /** Appends each writer makes in one run of the single-event and the batch workloads. */
  appendsPerWriter: number;
  /** Events in one append of the batch workload (10 in the issue). */
  batch: number;
  /** Families appended whole, concurrently, in one run of the bulk workload. */
  bulkFamilies: number;
  seed: number;
}

export interface RunFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Latency of one append call, in milliseconds. */
  p50: number;
  p99: number;
}

export const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

export const out = (line: string) => process.stdout.write(`${line}\n`);

export const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

const AUTHORITIES = Array.from({ length: 20 }, (_, i) => `la_${i + 1}`);

/**
 * Realistic payloads: the events of seeded synthetic families, re-identified for each use so
 * every append is new (never an idempotent replay).
 */
export class EventSupply {
  private readonly pool: NewEvent[];
  private next = 0;

  constructor(seed: number) {
    this.pool = [];
    for (const family of familyStream({
      seed,
      families: 200,
      authorities: AUTHORITIES,
      from: '2021-01-01T00:00:00.000Z',
      to: '2026-06-30T00:00:00.000Z',
    })) {
      this.pool.push(...toNewEvents(family));
    }
  }

  take(count: number): NewEvent[] {
    return Array.from({ length: count }, () => {
      const event = this.pool[this.next++ % this.pool.length];
      return { ...event, id: randomUUID() };
    });
  }
}

/** Families as the import would append them: each family's whole history in one append. */
export function bulkFamilies(seed: number, families: number): NewEvent[][] {
  return [
    ...familyStream({
      seed,
      families,
      authorities: AUTHORITIES,
      from: '2021-01-01T00:00:00.000Z',
      to: '2026-06-30T00:00:00.000Z',
    }),
  ].map((family) => toNewEvents(family));
}

const percentile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;

function figures(events: number, startNs: bigint, latencies: number[]): RunFigures {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/**
 * `writers` concurrent writers, each appending `eventsPerAppend` events at a time to its own
 * family streams (round robin) with the expected revision it last got back.
 */
export async function concurrentWriters(
  store: Appender,
  supply: EventSupply,
  sizes: WorkloadSizes,
  eventsPerAppend: number,
  run: string,
): Promise<RunFigures> {
  const latencies: number[] = [];
  let events = 0;
  const writer = async (w: number) => {
    const streams = Array.from({ length: sizes.streamsPerWriter }, (_, s) => ({
      id: familyStreamId(`${run}-w${w}-s${s}`),
      revision: null as bigint | null,
    }));
    // Payloads made before the clock starts for each append: only the store is timed.
    for (let i = 0; i < sizes.appendsPerWriter; i++) {
      const stream = streams[i % streams.length];
      const batch = supply.take(eventsPerAppend);
      const start = process.hrtime.bigint();
      stream.revision = await store.append(stream.id, batch, stream.revision);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      events += batch.length;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: sizes.writers }, (_, w) => writer(w)));
  return figures(events, start, latencies);
}

/** The import's path: many families, each appended whole to a new stream, `writers` at a time. */
export async function bulkImport(
  store: Appender,
  histories: NewEvent[][],
  writers: number,
  run: string,
): Promise<RunFigures> {
  // New ids for each run (made before the clock starts): every run appends, none replays.
  const families = histories.map((events) => events.map((e) => ({ ...e, id: randomUUID() })));
  const latencies: number[] = [];
  let events = 0;
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < families.length; i = next++) {
      const start = process.hrtime.bigint();
      await store.append(familyStreamId(`${run}-f${i}`), families[i], null);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      events += families[i].length;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: writers }, lane));
  return figures(events, start, latencies);
}

/** Warm-up run discarded, then `runs` runs; the run with the median throughput is reported. */
export async function median(
  runs: number,
  once: (run: string) => Promise<RunFigures>,
): Promise<RunFigures & { runs: number }> {
  await once('warmup');
  const results: RunFigures[] = [];
  for (let r = 0; r < runs; r++) results.push(await once(`r${r}`));
  const byRate = [...results].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  const mid = (pick: (f: RunFigures) => number) =>
    results.map(pick).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  return {
    ...byRate[Math.floor(byRate.length / 2)],
    p50: mid((f) => f.p50),
    p99: mid((f) => f.p99),
    runs,
  };
}

/**
 * Waits (a minute at a time, up to `tries` times) for the 1-minute load average to fall to
 * `threshold`: another suite running on this machine would halve the figures.
 */
export async function waitForQuiet(threshold = 1.0, tries = 4): Promise<number> {
  for (let i = 0; i < tries && loadavg()[0] > threshold; i++) {
    out(`# load average ${loadavg()[0].toFixed(2)} > ${threshold}: waiting a minute`);
    await new Promise((r) => setTimeout(r, 60_000));
  }
  return loadavg()[0];
}

export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The durability and versions the figures were measured with, checked rather than assumed. */
export async function describeDatabase(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
     WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'wal_sync_method',
                    'shared_buffers', 'commit_delay')
     ORDER BY name`,
  );
  const settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  if (settings.synchronous_commit !== 'on' || settings.fsync !== 'on') {
    throw new Error(
      `durable commits required: synchronous_commit=${settings.synchronous_commit}, fsync=${settings.fsync}`,
    );
  }
  return (
    `PostgreSQL ${settings.server_version}: synchronous_commit=${settings.synchronous_commit}, ` +
    `fsync=${settings.fsync}, wal_sync_method=${settings.wal_sync_method}, ` +
    `commit_delay=${settings.commit_delay}, shared_buffers=${settings.shared_buffers} (8 kB pages)`
  );
}

export const machine = () =>
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 if it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux this runs on (`getconf CLK_TCK`)

/** CPU seconds used by every PostgreSQL server process (all backends, WAL writer, checkpointer). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        total += cpuSeconds(Number(entry));
      }
    } catch {
      // the process ended between listing and reading
    }
  }
  return total;
}

/**
 * Samples a process's peak RSS (VmHWM) from /proc every 100 ms; `stop()` ends the sampling and
 * gives the peak in MB. A process that exits between samples keeps its last sample (VmHWM only
 * grows).
 */
export function trackPeakRss(pid: number): { stop(): number } {
  let peakKb = 0;
  const sample = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // exited between samples
    }
  };
  const sampler = setInterval(sample, 100);
  return {
    stop: () => {
      clearInterval(sampler);
      return peakKb / 1024;
    },
  };
}
