import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { FamilyEvent, systemClock } from '@app/domain';
import { DEFAULT_FOLLOW_UP_POLICY, addDuration, connectRedis, followUpId } from '@app/follow-ups';
import { FamilyRecorder } from '@app/recording';
import { Queue } from 'bullmq';
import {
  exitedStory,
  startPrivateRedis,
  until,
} from '../apps/worker/src/follow-ups/testing/fixture';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { TICK, WORKER, assertWorkerBuilt, exited } from './support/worker';

/**
 * The built worker, running, against a private redis-server the test flushes, kills and starts
 * again; no sweep is called by hand: the worker's own sweeps must bring every revisit back.
 */

/** The built worker with its log lines (stdout and stderr) collected. */
function startLoggedWorker(h: Harness, env: Record<string, string>) {
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: h.config.database.url,
      DATABASE_SCHEMA: h.config.database.schema,
      EVENT_STORE: 'postgres',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { child, lines };
}

/** A redis-server on a port of the test's choosing, so it can be killed and started again empty. */
const redisOn = async (port: number) => {
  const server = await startPrivateRedis([], port);
  return { kill: server.stop };
};

const freePort = () => 20_000 + Math.floor(Math.random() * 20_000);

function familiesOn(h: Harness) {
  const recorder = new FamilyRecorder(h.store, systemClock);
  const authority = `auth-${randomUUID().slice(0, 8)}`;
  const record = (familyId: string, event: FamilyEvent) =>
    recorder.record({ familyId, event, actor: { id: 'test', correlationId: randomUUID() } });

  /** A family referred, engaged and exited at `exit`; returns its id. */
  const exited = async (exit: Date) => {
    const familyId = randomUUID();
    for (const event of exitedStory(authority, exit.toISOString())) await record(familyId, event);
    return familyId;
  };
  /** Exited thirteen months ago: due already. */
  const due = () => exited(addDuration(new Date(), 'P13M', -1));
  /** Exited so that the revisit falls due `inMs` from now; returns the id and the due time. */
  const dueIn = async (inMs: number) => {
    const dueAt = new Date(Date.now() + inMs);
    const id = await exited(addDuration(dueAt, DEFAULT_FOLLOW_UP_POLICY.dueAfter, -1));
    return { id, dueAt };
  };

  const statusOf = async (familyId: string) =>
    (
      (await h.db.query('SELECT status FROM follow_ups WHERE follow_up_id = $1', [
        followUpId(familyId, 1),
      ])) as { status: string }[]
    )[0]?.status;
  const dueEvents = async (ids: string[]) =>
    (await h.db.query(
      `SELECT stream_id, count(*)::int AS n FROM events
       WHERE type = 'FollowUpDue' AND stream_id = ANY($1) GROUP BY stream_id`,
      [ids.map((id) => `family-${id}`)],
    )) as { stream_id: string; n: number }[];
  /** Every revisit due in the read model, and its `FollowUpDue` recorded exactly once. */
  const allDueOnce = async (ids: string[]) => {
    const statuses = await Promise.all(ids.map(statusOf));
    const events = await dueEvents(ids);
    return (
      statuses.every((s) => s === 'due') &&
      events.length === ids.length &&
      events.every((e) => e.n === 1)
    );
  };
  return { due, dueIn, statusOf, dueEvents, allDueOnce };
}

describe('follow-up sweeps heal themselves (e2e, built worker, private redis-server)', () => {
  let h: Harness;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    assertWorkerBuilt();
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));
    await h.close();
  });

  it('FLUSHALL under a running worker: every revisit due and about to fall due is raised exactly once within two sweep periods', async () => {
    const SWEEP_MS = 1000;
    const redis = await startPrivateRedis();
    const prefix = `flush-${randomUUID().slice(0, 8)}`;
    const worker = startLoggedWorker(h, {
      REDIS_URL: redis.url,
      FOLLOW_UP_QUEUE_PREFIX: prefix,
      FOLLOW_UP_SWEEP_EVERY_MS: String(SWEEP_MS),
    });
    workers.push(worker.child);
    const connection = connectRedis(redis.url);
    const dueQueue = new Queue('follow-up-due', { connection, prefix });
    try {
      const f = familiesOn(h);
      // The worker is sweeping: a revisit already due is raised.
      const canary = await f.due();
      await until(() => f.allDueOnce([canary]), 'the first sweep to raise a due revisit', 30_000);

      // Eight revisits about to fall due sit in Redis as delayed jobs...
      const soon = await Promise.all(Array.from({ length: 8 }, () => f.dueIn(8_000)));
      const soonIds = soon.map((s) => s.id);
      await until(
        async () =>
          (await Promise.all(soonIds.map(f.statusOf))).every((s) => s === 'scheduled') &&
          (await dueQueue.getJobCountByTypes('delayed')) >= soonIds.length,
        'the coming revisits to be scheduled and queued',
        30_000,
      );
      // ...and Redis loses everything; the worker is left running.
      await connection.flushall();
      expect(await dueQueue.getJobCountByTypes('delayed', 'waiting')).toBe(0);
      // Twelve more exits, due already, recorded after the flush.
      const late: string[] = [];
      for (let i = 0; i < 12; i++) late.push(await f.due());
      const flushedAt = Date.now();

      const all = [canary, ...soonIds, ...late];
      const lastDue = Math.max(flushedAt, ...soon.map((s) => s.dueAt.getTime()));
      // Two sweep periods after the last due time, plus room for the projections under load.
      await until(
        () => f.allDueOnce(all),
        'all twenty-one revisits due once',
        lastDue + 2 * SWEEP_MS + 15_000 - Date.now(),
      );
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await dueQueue.close();
      await connection.quit();
      worker.child.kill('SIGTERM');
      await exited(worker.child);
      await redis.stop();
    }
  }, 120_000);
});

describe('Redis is not on the projections’ path (e2e, built worker and API)', () => {
  const port = freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  const address = `127.0.0.1:${port}`;
  const SWEEP_MS = 500;
  let h: Harness;
  const saved = process.env.REDIS_URL;
  let worker: ReturnType<typeof startLoggedWorker> | undefined;
  let redis: Awaited<ReturnType<typeof redisOn>> | undefined;

  beforeAll(async () => {
    assertWorkerBuilt();
    // The API's health check reads REDIS_URL as the worker does.
    process.env.REDIS_URL = redisUrl;
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    if (worker) {
      worker.child.kill('SIGTERM');
      await exited(worker.child);
    }
    await redis?.kill();
    await h.close();
    if (saved === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = saved;
  });

  it('starts with Redis down, projects, reports degraded; resumes when Redis answers; survives three sweep periods of Redis gone, restarted empty', async () => {
    const f = familiesOn(h);
    worker = startLoggedWorker(h, {
      REDIS_URL: redisUrl,
      FOLLOW_UP_QUEUE_PREFIX: `down-${randomUUID().slice(0, 8)}`,
      FOLLOW_UP_SWEEP_EVERY_MS: String(SWEEP_MS),
    });

    // Redis down from the start: the projections still run.
    const first = await f.due();
    await until(
      async () => (await f.statusOf(first)) === 'unscheduled',
      'the exit to reach the follow-up read model with Redis down',
      30_000,
    );
    const health = await h.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      database: 'up',
      eventStore: 'up',
      redis: 'down',
    });
    expect((await h.http.get('/health/ready')).status).toBe(200);
    const metrics = (await h.http.get('/metrics').set(as('admin', null)).expect(200)).text;
    expect(metrics).toContain('outcomes_dependency_up{dependency="redis"} 0');
    expect(metrics).toContain('outcomes_dependency_up{dependency="database"} 1');
    expect(metrics).toContain('outcomes_dependency_up{dependency="eventStore"} 1');
    expect((await h.http.get('/health/live')).body).toEqual({ status: 'up' });

    // Redis starts: the revisit fires, nothing restarted.
    redis = await redisOn(port);
    await until(() => f.allDueOnce([first]), 'the revisit to fire once Redis answers', 30_000);
    expect((await h.http.get('/health')).body).toMatchObject({ redis: 'up' });

    // Redis killed; revisits fall due during the outage (and others were due already).
    await redis.kill();
    redis = undefined;
    const soon = await Promise.all(Array.from({ length: 5 }, () => f.dueIn(1_000)));
    const late = await Promise.all(Array.from({ length: 5 }, () => f.due()));
    const ids = [...soon.map((s) => s.id), ...late];
    await until(
      async () => (await Promise.all(ids.map(f.statusOf))).every((s) => s === 'unscheduled'),
      'the exits to reach the read model during the outage',
      30_000,
    );
    // The outage lasts three sweep periods past the last due time (the scenario, not a wait).
    const lastDue = Math.max(...soon.map((s) => s.dueAt.getTime()));
    await until(async () => Date.now() > lastDue + 3 * SWEEP_MS, 'three sweep periods', 30_000);
    expect(await f.dueEvents(ids)).toEqual([]);

    // Restarted empty: every revisit due exactly once, with no restart of the worker.
    redis = await redisOn(port);
    await until(() => f.allDueOnce(ids), 'every revisit due once after the outage', 30_000);
    expect(worker.child.exitCode).toBeNull();

    // The log: JSON lines only (no ioredis stack traces), one "not answering" line per outage.
    const notJson = worker.lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const downLines = worker.lines.filter((l) =>
      l.includes(`Redis is not answering at ${address}`),
    );
    expect(downLines).toHaveLength(2);
    expect(worker.lines.join('\n')).not.toContain(redisUrl);
  }, 150_000);

  it('stops on SIGTERM with Redis down (nothing waits on it for ever)', async () => {
    const down = startLoggedWorker(h, {
      REDIS_URL: `redis://127.0.0.1:${freePort()}`,
      FOLLOW_UP_SWEEP_EVERY_MS: String(SWEEP_MS),
    });
    await until(
      async () => down.lines.some((l) => l.includes('Redis is not answering')),
      'the worker to notice Redis is down',
      30_000,
    );
    down.child.kill('SIGTERM');
    let hung = false;
    const killer = setTimeout(() => {
      hung = true;
      down.child.kill('SIGKILL');
    }, 15_000);
    await exited(down.child);
    clearTimeout(killer);
    // Nest closes the app, then re-raises SIGTERM: the process ends by that signal, not ours.
    expect({ hung, signal: down.child.signalCode }).toEqual({ hung: false, signal: 'SIGTERM' });
  }, 60_000);

  it('`outcomes followups tick` with Redis down exits non-zero within 10 s, saying so in one line', async () => {
    const dead = freePort();
    const child = spawn(process.execPath, TICK(new Date()), {
      env: {
        ...process.env,
        DATABASE_URL: h.config.database.url,
        DATABASE_SCHEMA: h.config.database.schema,
        EVENT_STORE: 'postgres',
        REDIS_URL: `redis://127.0.0.1:${dead}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited(child);
    clearTimeout(killer);
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Redis is not answering at 127.0.0.1:${dead}`);
  }, 20_000);
});
