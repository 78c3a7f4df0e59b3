import { createHash, randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { connectRedis } from '@app/follow-ups';
import { loadConfig } from '@app/config';
import { definitionsFromEnv } from '@app/outcomes';
import {
  PTABLE_V1,
  RETURNS_QUEUE,
  buildReturn,
  cellKeys,
  savingsCostAvoidance,
  softwareVersion,
  specNamed,
} from '@app/returns';
import { cellKeySecretFrom } from '@app/security';
import { Queue } from 'bullmq';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { storyOf } from './support/stories';
import { pollUntil } from './support/wait';
import { assertWorkerBuilt, exited, startWorker } from './support/worker';

/**
 * The built worker process builds returns: a request accepted while no worker ran, whose queued
 * job Redis then lost, is built when a worker starts (its reconciler queues it again).
 */
describe('returns in the worker process (e2e)', () => {
  const prefix = `returns-proc-${randomUUID().slice(0, 8)}`;
  let h: Harness;

  beforeAll(async () => {
    assertWorkerBuilt();
    process.env.RETURNS_QUEUE_PREFIX = prefix;
    h = await startHarness({ projections: false });
  });

  afterAll(async () => {
    const redis = connectRedis();
    const queue = new Queue(RETURNS_QUEUE, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await h.close();
    delete process.env.RETURNS_QUEUE_PREFIX;
  });

  it('builds a request whose job was lost, once a worker starts', async () => {
    for (let i = 0; i < 10; i++) {
      await h.store.append(familyStreamId(randomUUID()), storyOf(i * 5), {
        expectedRevision: 'no_stream',
      });
    }
    const res = await h.http
      .post('/v1/returns')
      .set(as('data_manager', 'la-0'))
      .send({ authority: 'la-0', periodStart: '2024-01-01', periodEnd: '2024-12-31' });
    expect(res.status).toBe(202);
    const early = await h.http
      .get(`/v1/returns/${res.body.id}/content`)
      .set(as('data_manager', 'la-0'));
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'return_not_built', returnStatus: 'pending' });
    // Redis loses the job (as a flush would).
    const redis = connectRedis();
    const queue = new Queue(RETURNS_QUEUE, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();

    const worker = startWorker(h.config.database, {
      RETURNS_QUEUE_PREFIX: prefix,
      FOLLOW_UPS: 'off',
    });
    try {
      const status = await pollUntil(
        async () => {
          const r = await h.http.get(`/v1/returns/${res.body.id}`).set(as('data_manager', 'la-0'));
          expect(r.body.status).not.toBe('failed');
          return r.body.status as string;
        },
        (status) => status === 'built',
        { timeoutMs: 60_000 },
      );
      expect(status).toBe('built');
      const content = await h.http
        .get(`/v1/returns/${res.body.id}/content?format=json`)
        .set(as('data_manager', 'la-0'));
      expect(content.body.return).toMatchObject({ authority: 'la-0', periodStart: '2024-01-01' });
      expect(content.body.provenance.position).toBe(res.body.position);
      // Perturbed with the deployment's keys (derived from the master key at the worker's start):
      // the same return built here with them at the same position is the same bytes.
      expect(content.body.disclosure.perturbation).toMatchObject({ ptable: PTABLE_V1.id });
      const here = await buildReturn(
        {
          db: h.db,
          definitions: definitionsFromEnv(),
          software: softwareVersion(),
          cellKeys: cellKeys(cellKeySecretFrom(loadConfig())),
          costs: savingsCostAvoidance(),
        },
        specNamed(content.body.provenance.spec)!,
        { authority: 'la-0', periodStart: '2024-01-01', periodEnd: '2024-12-31' },
        BigInt(res.body.position),
      );
      expect(here.sha256).toBe(content.headers['x-content-sha256']);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 90_000);
  it('builds a return exactly once after the worker is SIGKILLed mid-build', async () => {
    // Enough families in la-0 that the build takes long enough to be killed part-way.
    const families = 3000;
    for (let i = 0; i < families; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, families - i) }, (_, j) =>
          h.store.append(familyStreamId(randomUUID()), storyOf((i + j) * 5), {
            expectedRevision: 'no_stream',
          }),
        ),
      );
    }
    const request = () =>
      h.http
        .post('/v1/returns')
        .set(as('data_manager', 'la-0'))
        .send({ authority: 'la-0', periodStart: '2024-01-01', periodEnd: '2024-12-31' });
    const statusOf = async (id: string) =>
      (await h.http.get(`/v1/returns/${id}`).set(as('data_manager', 'la-0'))).body as {
        status: string;
        progress: number;
      };
    const res = await request();
    expect(res.status).toBe(202);
    const id: string = res.body.id;
    // A short lock, so the killed worker's job is taken back (stalled) within seconds.
    const env = { RETURNS_QUEUE_PREFIX: prefix, FOLLOW_UPS: 'off', RETURNS_LOCK_MS: '1000' };

    // The first worker starts the build; it is SIGKILLed as soon as the build is under way.
    const first = startWorker(h.config.database, env);
    let seen: { status: string; progress: number };
    try {
      seen = await pollUntil(
        async () => {
          const s = await statusOf(id);
          expect(s.status).not.toBe('built');
          expect(s.status).not.toBe('failed');
          return s;
        },
        (s) => s.status === 'building' && s.progress > 0,
        { timeoutMs: 40_000, everyMs: 10 },
      );
    } finally {
      first.kill('SIGKILL');
    }
    expect(await exited(first)).toBeNull();
    expect(first.signalCode).toBe('SIGKILL');
    expect(seen.status).toBe('building');
    expect(seen.progress).toBeGreaterThan(0);
    expect(seen.progress).toBeLessThan(100);
    const killed = await statusOf(id);
    expect(killed.status).toBe('building');

    // A new worker finishes it; a second request at the same position is the clean build.
    const second = startWorker(h.config.database, env);
    try {
      const again = await request();
      expect(again.status).toBe(202);
      expect(again.body.position).toBe(res.body.position);
      const done = new Map<string, string>();
      await pollUntil(
        async () => {
          for (const r of [id, again.body.id as string]) {
            const s = await statusOf(r);
            expect(s.status).not.toBe('failed');
            if (s.status === 'built') done.set(r, s.status);
          }
          return done.size;
        },
        (size) => size === 2,
        { timeoutMs: 60_000 },
      );
      expect([...done.keys()].sort()).toEqual([id, again.body.id].sort());

      const content = async (r: string) => {
        const c = await h.http
          .get(`/v1/returns/${r}/content?format=json`)
          .set(as('data_manager', 'la-0'));
        expect(c.status).toBe(200);
        const sha = createHash('sha256').update(c.text).digest('hex');
        expect(c.headers['x-content-sha256']).toBe(sha);
        return { sha, body: JSON.parse(c.text) as { provenance: { position: string } } };
      };
      const recovered = await content(id);
      const clean = await content(again.body.id);
      expect(recovered.sha).toBe(clean.sha);
      expect(recovered.body.provenance.position).toBe(res.body.position);
      const rows = (await h.db.query(
        `SELECT status, progress, error FROM returns WHERE return_id = $1`,
        [id],
      )) as { status: string; progress: number; error: string | null }[];
      expect(rows).toEqual([{ status: 'built', progress: 100, error: null }]);
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
  }, 120_000);
});
