/**
 * `npm run bench:followups [-- --families N]` (default 100,000): N families exit across a year;
 * measures how long scheduling their revisits takes, then the lag between the due time and
 * `FollowUpDue` when 10,000 revisits (or N/10 if fewer) come due at once on the simulated clock.
 * Runs on a fresh schema of the `test` database and a Redis key prefix of its own.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Logger } from '@nestjs/common';
import { SCHEMA_VERSIONS, FamilyEvent } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { FollowUpEngine, connectRedis, followUpRecorder } from '@app/follow-ups';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';

const log = new Logger('bench:followups');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('families', 100_000);
const BURST = Math.min(10_000, Math.floor(N / 10));
const DAY = 86_400_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  let now = new Date('2025-01-01T00:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const schema = await createTestSchema('bench');
  const db = createDataSource({ ...schema.config, max: 12 }, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  await migrate(db);
  const store = PostgresEventStore.connect({ ...schema.config, max: 12 });
  const redis = connectRedis();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const names = allProjections().map((p) => p.name);
  const runner = new ProjectionRunner(store, db, allProjections(), { batchSize: 1000 });
  const engine = new FollowUpEngine({
    db,
    recorder: followUpRecorder(store, clock),
    clock,
    redis,
    prefix,
  });
  const [pg] = (await db.query('SHOW server_version')) as { server_version: string }[];
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  log.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, PostgreSQL ${pg.server_version}, Redis ${redisVersion}`,
  );
  const lastPosition = async () =>
    BigInt(
      ((await db.query('SELECT coalesce(max(position), 0) AS p FROM events')) as { p: string }[])[0]
        .p,
    );
  try {
    // 1. N families referred in 2023 and exiting (planned) across 2024; the first BURST all on
    //    1 January 2024, so their revisits come due together on 1 January 2025.
    let t = Date.now();
    let next = 0;
    const family = async (i: number) => {
      const exit = i < BURST ? 0 : 1 + ((i - BURST) % 365);
      const exitedAt = new Date(Date.UTC(2024, 0, 1) + exit * DAY);
      const day = (d: number) => new Date(exitedAt.getTime() - d * DAY).toISOString();
      const events: FamilyEvent[] = [
        {
          type: 'FamilyReferred',
          data: {
            occurredAt: day(300),
            authority: `la-${i % 20}`,
            programme: 'fip',
            source: 'police',
            reasons: ['asb'],
          },
        },
        { type: 'InterventionOffered', data: { occurredAt: day(290) } },
        { type: 'InterventionAccepted', data: { occurredAt: day(280) } },
        { type: 'FamilyExited', data: { occurredAt: day(0), exitType: 'planned' } },
      ];
      await store.append(
        `family-${randomUUID()}`,
        events.map((e) => ({
          id: randomUUID(),
          type: e.type,
          data: e.data as unknown as Record<string, unknown>,
          metadata: {
            recordedAt: day(0),
            actor: 'bench',
            authority: `la-${i % 20}`,
            correlationId: randomUUID(),
            schemaVersion: SCHEMA_VERSIONS[e.type],
          },
        })),
        { expectedRevision: 'no_stream' },
      );
    };
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < N) await family(next++);
      }),
    );
    log.log(`recorded ${N} families (${N * 4} events) in ${seconds(Date.now() - t)}`);
    t = Date.now();
    runner.start();
    await waitForProjections(db, names, await lastPosition(), 30 * 60_000);
    log.log(`projections caught up in ${seconds(Date.now() - t)}`);

    // 2. Scheduling: one sweep records FollowUpScheduled for every exit.
    t = Date.now();
    const swept = await engine.sweep(clock.now());
    const sweepMs = Date.now() - t;
    await waitForProjections(db, names, await lastPosition(), 30 * 60_000);
    const scheduled = Number(
      (
        (await db.query(`SELECT count(*) AS n FROM follow_ups WHERE status = 'scheduled'`)) as {
          n: string;
        }[]
      )[0].n,
    );
    log.log(
      `scheduling: ${swept.scheduled} FollowUpScheduled in ${seconds(sweepMs)} (${Math.round(swept.scheduled / (sweepMs / 1000))}/s); read model shows ${scheduled} scheduled after ${seconds(Date.now() - t)}`,
    );

    // 3. The burst: the clock reaches 1 January 2025, when BURST revisits are due at once.
    now = new Date('2025-01-01T00:00:00.000Z');
    engine.startWorkers();
    const dueCount = async () =>
      Number(
        (
          (await db.query(`SELECT count(*) AS n FROM events WHERE type = 'FollowUpDue'`)) as {
            n: string;
          }[]
        )[0].n,
      );
    t = Date.now();
    const burst = await engine.sweep(clock.now());
    const enqueueMs = Date.now() - t;
    const marks: Record<string, number> = {};
    for (;;) {
      const n = await dueCount();
      if (n >= 1 && marks.first === undefined) marks.first = Date.now() - t;
      if (n >= BURST / 2 && marks.p50 === undefined) marks.p50 = Date.now() - t;
      if (n >= BURST * 0.95 && marks.p95 === undefined) marks.p95 = Date.now() - t;
      if (n >= BURST) {
        marks.all = Date.now() - t;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitForProjections(db, names, await lastPosition(), 30 * 60_000);
    const dueRows = Number(
      (
        (await db.query(`SELECT count(*) AS n FROM follow_ups WHERE status = 'due'`)) as {
          n: string;
        }[]
      )[0].n,
    );
    log.log(
      `due burst: ${burst.enqueued} jobs enqueued in ${seconds(enqueueMs)}; lag from due time to FollowUpDue: first ${seconds(marks.first)}, 50% ${seconds(marks.p50)}, 95% ${seconds(marks.p95)}, all ${BURST} ${seconds(marks.all)} (${Math.round(BURST / (marks.all / 1000))}/s); in the due list after ${seconds(Date.now() - t)}: ${dueRows}`,
    );
    if ((await dueCount()) !== BURST || dueRows !== BURST) throw new Error('due count mismatch');
  } finally {
    await engine.close();
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    await redis.quit();
    await runner.stop();
    await store.close();
    await db.destroy();
    await schema.drop();
  }
}

main().catch((e: unknown) => {
  log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
