import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import { EVENT_STORE, EventStore, StorageConfig } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { ProjectionRunner, resetProjection, waitForProjections } from '@app/projections';
import { allProjections } from '@app/read-models';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { createApi } from '../apps/api/src/api';
import { as } from './support/auth';
import { readModels } from './support/harness';
import { referralBody } from './support/stories';
import { TcpProxy, startTcpProxy } from './support/tcp-proxy';

/**
 * PostgreSQL becomes unreachable for a few seconds (a proxy between the API and the shared server
 * is cut): the API answers 503 with Retry-After while it is down, never a 500 and never a hang,
 * recovers by itself once it is back, and every write it accepted is in the log; the projections
 * resume by themselves and end equal to a clean rebuild.
 */
describe('database outage (e2e)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let proxy: TcpProxy;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let runner: ProjectionRunner;
  const authority = `outage-${randomUUID().slice(0, 8)}`;
  const caller = as('keyworker', authority);

  beforeAll(async () => {
    schema = await createTestSchema('outage');
    const target = new URL(schema.config.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(schema.config.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const config: StorageConfig = {
      database: { ...schema.config, url: viaProxy.toString() },
      eventStore: 'postgres',
    };
    app = await createApi(config);
    await app.init();
    http = request(app.getHttpServer());
    // The projections go through the proxy too: they must survive the outage as well.
    runner = new ProjectionRunner(app.get(EVENT_STORE), app.get(DataSource), allProjections());
    runner.start();
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await runner?.stop();
    await app?.close();
    await proxy?.close();
    await schema?.drop();
  });

  const refer = (familyId: string) =>
    http
      .post('/v1/families')
      .set(caller)
      .send(
        referralBody(authority, {
          familyId,
          members: [{ memberId: 'p1', role: 'parent', name: 'Outage Test' }],
        }),
      );

  it('answers 503 with Retry-After while the database is down, then recovers by itself', async () => {
    const accepted: string[] = [];
    const statuses: number[] = [];
    const write = async () => {
      const familyId = randomUUID();
      const res = await refer(familyId);
      statuses.push(res.status);
      if (res.status === 201) accepted.push(familyId);
      return res;
    };

    expect((await write()).status).toBe(201);
    await proxy.cut();

    const down = await write();
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.headers['content-type']).toMatch(/json/);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'database_unavailable' });
    const health = await http.get('/health');
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toBe('5');
    const read = await http.get(`/v1/families/${accepted[0]}`).set(caller);
    expect(read.status).toBe(503);

    // Writes keep coming during the outage (3 s) and after it, with no restart of anything.
    const until = Date.now() + 3_000;
    while (Date.now() < until) await write();
    await proxy.restore();
    let recoveredAfter: number | undefined;
    for (const start = Date.now(); ;) {
      const res = await write();
      if (res.status === 201) {
        recoveredAfter = Date.now() - start;
        break;
      }
      expect(Date.now() - start).toBeLessThan(15_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 5; i++) expect((await write()).status).toBe(201);
    expect((await http.get('/health')).status).toBe(200);

    // Never a 500: each answer is either stored (201) or a clear "try again" (503).
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(1);
    expect(recoveredAfter).toBeLessThan(15_000);

    // The projections resumed by themselves, and what they made equals a clean rebuild.
    const db = app.get(DataSource);
    const store = app.get<EventStore>(EVENT_STORE);
    const names = allProjections().map((p) => p.name);
    // The last event written, not the store's visible head: a transaction elsewhere in the shared
    // cluster can hold the head back, and the wait must cover every accepted write.
    const last = await store.lastPosition();
    await waitForProjections(db, names, last, 60_000);
    const live = await readModels(db);
    await runner.stop();
    for (const p of allProjections()) await resetProjection(db, p);
    runner = new ProjectionRunner(store, db, allProjections());
    runner.start();
    await waitForProjections(db, names, last, 60_000);
    expect(await readModels(db)).toEqual(live);

    // Nothing accepted is lost: every 201 is in the log, exactly once.
    for (const familyId of accepted) {
      const stream = await store.readStream(familyStreamId(familyId));
      expect(stream.map((e) => e.type)).toEqual(['FamilyReferred']);
    }
    const [{ families }] = (await db.query('SELECT count(*)::int AS families FROM families')) as {
      families: number;
    }[];
    expect(families).toBe(accepted.length);
  }, 60_000);
});
