/* A rebuild's replay worker threads: started, fed a stream-id range each, and awaited. */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { Projection } from './projection';
import { StreamRange, StreamReplay } from './replay';
import type { ReplayReport, ReplayWork } from './replay-worker';

/**
 * The projections a registry module makes: it exports `allProjections()` (as `@app/read-models`
 * does). The runner imports no read model; the rebuild and its workers load them by path.
 */
export async function loadProjections(registry: string): Promise<Projection[]> {
  const module = (await import(registry)) as { allProjections?: () => Projection[] };
  if (typeof module.allProjections !== 'function') {
    throw new Error(`${registry} does not export allProjections()`);
  }
  return module.allProjections();
}

/**
 * Stream-id ranges replayed by worker threads, each applying its streams to the shadow tables in
 * transactions of its own (the rebuilding thread replays another range meanwhile). Every
 * projection here folds per stream, so ranges replayed side by side give what one replay gives.
 */
export async function replayInWorkers(
  db: DataSource,
  work: Omit<ReplayWork, 'database' | 'replay'> & {
    replay: Omit<StreamReplay, 'range'>;
    ranges: StreamRange[];
    onBatch: (applied: number) => void;
    /** This thread's own range, replayed meanwhile. */
    alongside: () => Promise<void>;
  },
): Promise<void> {
  const known = (await loadProjections(work.registry)).map((p) => p.name);
  const unknown = work.projections.filter((name) => !known.includes(name));
  if (unknown.length)
    throw new Error(`replay workers cannot make projection ${unknown.join(', ')}`);
  const { url, schema } = db.options as { url?: string; schema?: string };
  if (!url) throw new Error('replay workers need the database given by URL');
  const running: Worker[] = [];
  try {
    await Promise.all([
      ...work.ranges.map(
        (range) =>
          new Promise<void>((resolve, reject) => {
            const data: ReplayWork = {
              database: { url, schema },
              shadow: work.shadow,
              registry: work.registry,
              projections: work.projections,
              replay: { ...work.replay, range },
            };
            const worker = startReplayWorker(data);
            running.push(worker);
            worker.on('message', (m: ReplayReport) => work.onBatch(m.applied));
            worker.on('error', reject);
            worker.on('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`replay worker exited with ${code}`)),
            );
          }),
      ),
      work.alongside(),
    ]);
  } finally {
    // After a failure (here or in a worker), the others need not finish: the schema is dropped.
    await Promise.all(running.map((w) => w.terminate()));
  }
}

/**
 * A worker's heap, capped: left to itself V8 lets it grow well past what it holds (two batches)
 * before collecting; the process peaked at 475 MB in a 10M-event rebuild. Measured on 300k
 * events: 356 MB peak instead of 410–445, no more CPU; batches of 20,000 events still fit.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 192 };

/** The worker thread; from TypeScript sources (tests, benchmarks) through the same swc loader. */
function startReplayWorker(data: ReplayWork): Worker {
  const resourceLimits = WORKER_HEAP;
  const file = join(__dirname, `replay-worker${extname(__filename)}`);
  if (extname(file) !== '.ts') return new Worker(file, { workerData: data, resourceLimits });
  const register = join(__dirname, '..', '..', '..', 'scripts', 'register.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(file)});`, {
    eval: true,
    workerData: data,
    resourceLimits,
  });
}
