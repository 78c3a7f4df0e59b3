import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { connectRedis } from '@app/follow-ups';
import { RETURNS_QUEUE } from '@app/returns';
import { Queue } from 'bullmq';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { storyOf } from './support/stories';
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
    expect(early.body).toMatchObject({ code: 'return_not_built', status: 'pending' });
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
      const deadline = Date.now() + 60_000;
      let status = '';
      while (status !== 'built' && Date.now() < deadline) {
        const r = await h.http.get(`/v1/returns/${res.body.id}`).set(as('data_manager', 'la-0'));
        status = r.body.status;
        expect(status).not.toBe('failed');
        if (status !== 'built') await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe('built');
      const content = await h.http
        .get(`/v1/returns/${res.body.id}/content?format=json`)
        .set(as('data_manager', 'la-0'));
      expect(content.body.return).toMatchObject({ authority: 'la-0', periodStart: '2024-01-01' });
      expect(content.body.provenance.position).toBe(res.body.position);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 90_000);
});
