import { randomUUID } from 'node:crypto';
import { FamilyEvent, familyStreamId } from '@app/domain';
import { DEFAULT_FOLLOW_UP_POLICY, QUEUES, scheduleFor } from '@app/follow-ups';
import { ProjectionRunner } from '@app/projections';
import { allProjections } from '@app/read-models';
import { RETURNS_QUEUE } from '@app/returns';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { routesOf } from '../apps/api/src/auth/routes';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { referralBody, storyOf, toAppend } from './support/stories';

/** `GET /metrics`: Prometheus text whose figures move with what happens. */

const PREFIX = `ops-metrics-${randomUUID().slice(0, 8)}`;
const NAMES = allProjections().map((p) => p.name);

let h: Harness;
const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});
const dueQueue = new Queue(QUEUES.due, { connection: redis, prefix: PREFIX });

beforeAll(async () => {
  process.env.FOLLOW_UP_QUEUE_PREFIX = PREFIX;
  // Projections run only when the test says so, so lag can be made and then caught up.
  h = await startHarness({ projections: false });
});

/** Runs the projections up to `position`, then stops them (a runner cannot be restarted). */
async function catchUp(position: string | bigint): Promise<void> {
  const runner = new ProjectionRunner(h.store, h.db, allProjections());
  runner.start();
  try {
    await h.caughtUp(position);
  } finally {
    await runner.stop();
  }
}

afterAll(async () => {
  // Leave nothing behind in the shared Redis: the API's queue handles write keys too.
  for (const name of [...Object.values(QUEUES), RETURNS_QUEUE]) {
    const queue =
      name === QUEUES.due ? dueQueue : new Queue(name, { connection: redis, prefix: PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  redis.disconnect();
  await h?.close();
  delete process.env.FOLLOW_UP_QUEUE_PREFIX;
});

const scrape = async (): Promise<string> => {
  const res = await h.http.get('/metrics').set(as('admin', null)).expect(200);
  // Prometheus's text format, version 0.0.4 (express places the charset first).
  expect(res.headers['content-type']).toMatch(/^text\/plain;.*\bversion=0\.0\.4\b/);
  return res.text;
};

/** The value of one sample, `undefined` if absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/**
 * Waits until the store lets readers see `position`: the PostgreSQL store hides positions while
 * any older transaction in the cluster is still open (its gap-safe horizon), and the head gauge
 * and lag count only what readers can see.
 */
async function readable(position: string): Promise<void> {
  while ((await h.store.headPosition()) < BigInt(position)) await Promise.resolve();
}

const refer = () =>
  h.http.post('/v1/families').set(as('keyworker', 'leeds')).send(referralBody('leeds')).expect(201);

jest.setTimeout(30_000);

describe('GET /metrics', () => {
  it('counts recorded events and times requests by route template', async () => {
    const before = await scrape();
    const recorded = (t: string, text: string) =>
      sample(text, 'outcomes_events_recorded_total', { type: t }) ?? 0;
    const { familyId } = (await refer()).body as { familyId: string };
    for (const type of ['InterventionOffered', 'InterventionAccepted']) {
      await h.http
        .post(`/v1/families/${familyId}/events`)
        .set(as('keyworker', 'leeds'))
        .send({ type, occurredAt: '2025-01-15', data: {} })
        .expect(201);
    }
    const after = await scrape();
    expect(recorded('FamilyReferred', after) - recorded('FamilyReferred', before)).toBe(1);
    expect(recorded('InterventionOffered', after) - recorded('InterventionOffered', before)).toBe(
      1,
    );
    expect(recorded('InterventionAccepted', after) - recorded('InterventionAccepted', before)).toBe(
      1,
    );
    expect(
      sample(after, 'outcomes_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/families/:familyId/events',
        status: '201',
      }),
    ).toBe(2);
    // A raw URL never becomes a label (one series per family would explode).
    expect(after).not.toContain(familyId);
  });

  it('shows the store head and each projection’s lag, in events and seconds, until caught up', async () => {
    await catchUp((await refer()).body.position as string);
    const caughtUp = await scrape();
    for (const projection of NAMES) {
      expect(sample(caughtUp, 'outcomes_projection_lag_events', { projection })).toBe(0);
      expect(sample(caughtUp, 'outcomes_projection_lag_seconds', { projection })).toBe(0);
    }

    await refer();
    const { position } = (await refer()).body as { position: string };
    await readable(position);
    const behind = await scrape();
    expect(sample(behind, 'outcomes_event_store_head_position')).toBe(Number(position));
    for (const projection of NAMES) {
      expect(sample(behind, 'outcomes_projection_lag_events', { projection })).toBe(2);
      expect(sample(behind, 'outcomes_projection_lag_seconds', { projection })).toBeGreaterThan(0);
    }

    await catchUp(position);
    const again = await scrape();
    for (const projection of NAMES)
      expect(sample(again, 'outcomes_projection_lag_events', { projection })).toBe(0);
  });

  it('reports queue depths and revisits due or overdue from the read model', async () => {
    const before = await scrape();
    expect(sample(before, 'outcomes_queue_up')).toBe(1);
    for (const dependency of ['database', 'eventStore', 'redis'])
      expect(sample(before, 'outcomes_dependency_up', { dependency })).toBe(1);
    expect(sample(before, 'outcomes_queue_jobs', { queue: RETURNS_QUEUE, state: 'waiting' })).toBe(
      0,
    );
    expect(sample(before, 'outcomes_queue_jobs', { queue: QUEUES.due, state: 'delayed' })).toBe(0);
    await dueQueue.add('due', { probe: true }, { delay: 3_600_000 });

    // A family that exited in 2024 and whose revisit was scheduled: overdue by now.
    const story = storyOf(1); // la-1, planned exit on 2024-07-20
    const exit = story.find((e) => e.type === 'FamilyExited')!;
    const scheduled: FamilyEvent = {
      type: 'FollowUpScheduled',
      data: {
        occurredAt: exit.data.occurredAt as string,
        episode: 1,
        ...scheduleFor(DEFAULT_FOLLOW_UP_POLICY, exit.data.occurredAt as string),
      },
    };
    const familyId = randomUUID();
    const { position } = await h.store.append(
      familyStreamId(familyId),
      [...story, ...toAppend([scheduled], { authority: 'la-1' })],
      { expectedRevision: 'no_stream' },
    );
    await catchUp(position);

    const after = await scrape();
    expect(sample(after, 'outcomes_queue_jobs', { queue: QUEUES.due, state: 'delayed' })).toBe(1);
    expect(sample(after, 'outcomes_follow_ups', { authority: 'la-1', status: 'overdue' })).toBe(1);
    expect(sample(after, 'outcomes_follow_ups', { authority: 'la-1', status: 'due' })).toBe(0);
  });

  it('is guarded by the metrics:read permission (scrapers use an API key)', () => {
    const route = routesOf(h.app).find((r) => r.path === '/metrics');
    expect(route).toMatchObject({ method: 'GET', permission: 'metrics:read', isPublic: false });
  });
});
