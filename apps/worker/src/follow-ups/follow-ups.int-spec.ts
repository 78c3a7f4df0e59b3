import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  DEFAULT_FOLLOW_UP_POLICY,
  FollowUpEngine,
  followUpId,
  followUpRates,
  listFollowUps,
  runFollowUpTick,
} from '@app/follow-ups';
import { TestClock, startFixture, until } from './testing/fixture';

/**
 * The revisit from exit to outcome against real PostgreSQL and Redis: the clock is moved by hand
 * and the sweep called directly, as the BullMQ job scheduler would.
 */
describe('follow-ups (PostgreSQL + Redis)', () => {
  const clock = new TestClock(new Date('2025-06-01T00:00:00.000Z'));
  let f: Awaited<ReturnType<typeof startFixture>>;
  let engine: FollowUpEngine;

  beforeAll(async () => {
    f = await startFixture(clock);
    engine = f.engine();
    engine.startWorkers();
  });
  afterAll(async () => {
    await f.close();
  });

  const row = async (familyId: string, episode = 1) =>
    (
      (await f.db.query('SELECT * FROM follow_ups WHERE follow_up_id = $1', [
        followUpId(familyId, episode),
      ])) as Record<string, unknown>[]
    )[0];
  const statusIs = (familyId: string, status: string) => async () =>
    (await row(familyId))?.status === status;
  const sweepAt = async (at: string) => {
    clock.set(at);
    await f.caughtUp();
    return engine.sweep(clock.now());
  };

  it('exit → scheduled → (clock advanced) due → completed on time', async () => {
    clock.set('2025-06-01T00:00:00.000Z');
    const familyId = await f.exitedFamily('2025-05-20T00:00:00.000Z');
    await sweepAt('2025-06-01T00:00:00.000Z');
    await f.caughtUp();
    expect(await row(familyId)).toMatchObject({
      status: 'scheduled',
      exit_type: 'planned',
      policy_version: 1,
      due_at: new Date('2026-05-20T00:00:00.000Z'),
      window_opens_at: new Date('2026-04-22T00:00:00.000Z'),
      window_closes_at: new Date('2026-06-17T00:00:00.000Z'),
    });
    // A year on, not yet due: nothing raised.
    await sweepAt('2026-05-01T00:00:00.000Z');
    expect((await f.eventsOf(familyId, 'FollowUpDue')).length).toBe(0);

    await sweepAt('2026-05-20T00:00:30.000Z');
    await until(statusIs(familyId, 'due'), 'FollowUpDue in the read model');
    const [due] = await f.eventsOf(familyId, 'FollowUpDue');
    expect(due.data).toEqual({ occurredAt: '2026-05-20T00:00:00.000Z', episode: 1 });
    const dueList = await listFollowUps(
      f.db,
      { status: 'due', authority: f.authority },
      clock.now(),
      50,
    );
    expect(dueList.items.map((i) => i.familyId)).toContain(familyId);

    clock.set('2026-05-25T00:00:00.000Z');
    await f.recorder.record(
      familyId,
      {
        type: 'FollowUpCompleted',
        data: { occurredAt: '2026-05-25T00:00:00.000Z', episode: 1, assessment: { asbTypes: [] } },
      },
      '1d5b1d3e-5a7e-4e29-9d1a-1a4a9c1c0001',
    );
    await f.caughtUp();
    expect(await row(familyId)).toMatchObject({ status: 'completed', completed_on_time: true });
  });

  it('back-dated exit (occurredAt thirteen months ago) is due on the first sweep', async () => {
    clock.set('2026-07-01T00:00:00.000Z');
    const familyId = await f.exitedFamily('2025-06-01T00:00:00.000Z');
    const result = await sweepAt('2026-07-01T00:00:00.000Z');
    expect(result.scheduled).toBeGreaterThanOrEqual(1);
    await until(statusIs(familyId, 'due'), 'the back-dated revisit to fall due');
    // And, its window having closed (due 2026-06-01, + 4 weeks), it is overdue.
    const overdue = await listFollowUps(
      f.db,
      { status: 'overdue', authority: f.authority },
      clock.now(),
      50,
    );
    expect(overdue.items.map((i) => i.followUpId)).toContain(followUpId(familyId, 1));
  });

  it('does not schedule exits the policy leaves out', async () => {
    clock.set('2026-07-02T00:00:00.000Z');
    const familyId = await f.exitedFamily('2026-07-01T00:00:00.000Z', 'disengaged');
    await sweepAt('2026-07-02T00:00:00.000Z');
    await f.caughtUp();
    expect(await row(familyId)).toMatchObject({ status: 'unscheduled' });
    expect(await f.eventsOf(familyId, 'FollowUpScheduled')).toHaveLength(0);
  });

  it('missed: recorded with its reason; counted in the rates', async () => {
    clock.set('2026-07-03T00:00:00.000Z');
    const familyId = await f.exitedFamily('2025-07-01T00:00:00.000Z');
    await sweepAt('2026-07-03T00:00:00.000Z');
    await until(statusIs(familyId, 'due'), 'due');
    await f.recorder.record(
      familyId,
      {
        type: 'FollowUpMissed',
        data: { occurredAt: '2026-07-03T00:00:00.000Z', episode: 1, reason: 'declined' },
      },
      '1d5b1d3e-5a7e-4e29-9d1a-1a4a9c1c0002',
    );
    await f.caughtUp();
    expect(await row(familyId)).toMatchObject({ status: 'missed', missed_reason: 'declined' });
  });

  it('cancels a pending revisit when the family is re-referred, with the reason', async () => {
    clock.set('2026-07-04T00:00:00.000Z');
    const familyId = await f.exitedFamily('2026-07-01T00:00:00.000Z');
    await sweepAt('2026-07-04T00:00:00.000Z');
    await until(statusIs(familyId, 'scheduled'), 'scheduled');
    await f.record(familyId, {
      type: 'FamilyReferred',
      data: {
        occurredAt: '2026-07-04T00:00:00.000Z',
        authority: f.authority,
        programme: 'fip',
        source: 'school',
        reasons: ['truancy'],
      },
    });
    const result = await sweepAt('2026-07-04T00:00:00.000Z');
    expect(result.cancelled).toBeGreaterThanOrEqual(1);
    await until(statusIs(familyId, 'cancelled'), 'cancelled');
    expect(await row(familyId)).toMatchObject({
      cancelled_reason: 're_referred',
      cancelled_at: new Date('2026-07-04T00:00:00.000Z'),
    });
    // Cancelled is final: the clock passing the due date raises nothing.
    await sweepAt('2027-08-01T00:00:00.000Z');
    expect(await f.eventsOf(familyId, 'FollowUpDue')).toHaveLength(0);
  });

  it('a due job firing twice stores one FollowUpDue; enqueuing twice keeps one job', async () => {
    clock.set('2026-07-05T00:00:00.000Z');
    const familyId = await f.exitedFamily('2026-07-05T00:00:00.000Z');
    const other = f.engine({ prefix: `${f.prefix}-idle` }); // no workers: its queue keeps jobs
    await f.caughtUp();
    await other.sweep(clock.now());
    await f.caughtUp();
    // Two sweeps at the due time enqueue the same jobs: one per revisit, by job id.
    clock.set('2027-07-05T00:00:00.000Z');
    await other.sweep(clock.now());
    const waiting = await other.dueQueue.getJobCountByTypes('waiting', 'delayed');
    await other.sweep(clock.now());
    expect(await other.dueQueue.getJobCountByTypes('waiting', 'delayed')).toBe(waiting);
    expect(await other.dueQueue.getJob(followUpId(familyId, 1))).toBeDefined();
    const id = followUpId(familyId, 1);
    const job = {
      followUpId: id,
      familyId,
      episode: 1,
      authority: f.authority,
      dueAt: '2027-07-05T00:00:00.000Z',
    };
    expect(await engine.processDue(job)).toBe('recorded');
    expect(await engine.processDue(job)).toBe('recorded');
    await Promise.all([engine.processDue(job), other.processDue(job)]);
    expect(await f.eventsOf(familyId, 'FollowUpDue')).toHaveLength(1);
    await f.caughtUp();
    // With the read model already showing it due, a late firing is still a replay of the same id.
    expect(await engine.processDue(job)).toBe('recorded');
    expect(await f.eventsOf(familyId, 'FollowUpDue')).toHaveLength(1);
  });

  it('two engines sweeping and processing at once record each step once', async () => {
    clock.set('2026-08-01T00:00:00.000Z');
    const families = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        f.exitedFamily(new Date(Date.UTC(2025, 5, 1 + i)).toISOString()),
      ),
    );
    const second = f.engine();
    second.startWorkers();
    await f.caughtUp();
    await Promise.all([engine.sweep(clock.now()), second.sweep(clock.now())]);
    await f.caughtUp();
    await Promise.all([engine.sweep(clock.now()), second.sweep(clock.now())]);
    for (const familyId of families) {
      await until(statusIs(familyId, 'due'), `family ${familyId} due`);
    }
    for (const familyId of families) {
      expect(await f.eventsOf(familyId, 'FollowUpScheduled')).toHaveLength(1);
      expect(await f.eventsOf(familyId, 'FollowUpDue')).toHaveLength(1);
    }
  });

  it('sweeps one worker at a time: a sweep finding the lock held skips its turn', async () => {
    const holder = f.db.createQueryRunner();
    await holder.query(`SELECT pg_advisory_lock(hashtext('follow-up-sweep:' || current_schema()))`);
    try {
      expect(await engine.sweepExclusively(clock.now())).toBeUndefined();
    } finally {
      await holder.query(
        `SELECT pg_advisory_unlock(hashtext('follow-up-sweep:' || current_schema()))`,
      );
      await holder.release();
    }
    expect(await engine.sweepExclusively(clock.now())).toEqual(
      expect.objectContaining({ failed: 0 }),
    );
  });

  it('lists by due date with keyset pagination', async () => {
    const all = await listFollowUps(f.db, { authority: f.authority }, clock.now(), 500);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const after = cursor
        ? (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string])
        : undefined;
      const page = await listFollowUps(
        f.db,
        { authority: f.authority },
        clock.now(),
        3,
        after && { dueAt: after[0], followUpId: after[1] },
      );
      pages.push(...page.items.map((i) => i.followUpId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.items.map((i) => i.followUpId));
    const dues = all.items.map((i) => i.dueAt);
    expect([...dues].sort()).toEqual(dues);
    expect(all.items.length).toBeGreaterThan(10);
  });

  it('computes completion and on-time rates for a cohort', async () => {
    const at = new Date('2027-09-01T00:00:00.000Z');
    const rates = await followUpRates(f.db, { authority: f.authority }, at);
    const rows = (await f.db.query(
      `SELECT status, completed_on_time, overdue_at FROM follow_ups WHERE authority = $1`,
      [f.authority],
    )) as { status: string; completed_on_time: boolean | null; overdue_at: Date | null }[];
    const count = (p: (r: (typeof rows)[number]) => boolean) => rows.filter(p).length;
    const completed = count((r) => r.status === 'completed');
    const missed = count((r) => r.status === 'missed');
    const overdue = count((r) => ['scheduled', 'due'].includes(r.status) && r.overdue_at! < at);
    expect(completed).toBe(1);
    expect(missed).toBe(1);
    expect(rates).toMatchObject({ completed, missed, overdue, completedOnTime: 1, cancelled: 1 });
    expect(rates.completionRate).toBeCloseTo(completed / (completed + missed + overdue));
    expect(rates.onTimeRate).toBe(1);
  });

  describe('webhook notifications', () => {
    let server: Server;
    const received: unknown[] = [];
    let calls = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          calls++;
          // The first attempt fails: the notifier must retry with back-off.
          if (calls === 1) return res.writeHead(503).end();
          received.push(JSON.parse(body));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    it('POSTs ids and dates when a revisit falls due, retrying a failed attempt', async () => {
      const { port } = server.address() as AddressInfo;
      const notifying = f.engine({
        webhookUrl: `http://127.0.0.1:${port}/hook`,
        notifyBackoffMs: 50,
        prefix: `${f.prefix}-hook`,
      });
      notifying.startWorkers();
      clock.set('2027-09-01T00:00:00.000Z');
      const familyId = await f.exitedFamily('2026-08-15T00:00:00.000Z');
      await f.caughtUp();
      await notifying.sweep(clock.now());
      await until(async () => received.length === 1, 'the webhook to be called');
      expect(calls).toBe(2);
      expect(received[0]).toEqual({
        type: 'FollowUpDue',
        followUpId: followUpId(familyId, 1),
        familyId,
        episode: 1,
        authority: f.authority,
        dueAt: '2027-08-15T00:00:00.000Z',
      });
    });
  });

  it('an operator tick "as at" a date raises what is due by then, and only that', async () => {
    clock.set('2027-10-01T00:00:00.000Z');
    const soon = await f.exitedFamily('2027-09-01T00:00:00.000Z');
    const later = await f.exitedFamily('2027-09-20T00:00:00.000Z');
    await f.caughtUp();
    await engine.sweep(clock.now());
    await f.caughtUp();
    const options = {
      db: f.db,
      recorder: f.recorder,
      redis: f.redises[0],
      prefix: `${f.prefix}-tick`,
    };
    // The recorder's clock must allow the due date too: the demo moves the whole clock.
    clock.set('2028-09-10T00:00:00.000Z');
    await runFollowUpTick(options, new Date('2028-09-10T00:00:00.000Z'));
    expect(await f.eventsOf(soon, 'FollowUpDue')).toHaveLength(1);
    expect(await f.eventsOf(later, 'FollowUpDue')).toHaveLength(0);
  });

  it('uses the default policy unless told otherwise', () => {
    expect(engine.policy).toBe(DEFAULT_FOLLOW_UP_POLICY);
  });
});
