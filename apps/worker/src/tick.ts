/**
 * `npm run followups:tick -- --at <date>`: the follow-up scheduler run once "as at" a date, for
 * demos and drills. It schedules the revisits of exits the policy covers, cancels those of
 * re-referred families and raises every revisit due by then, with the clock fixed at that date.
 * It runs the projections itself until they reach the head of the log (standing by if a worker
 * already holds them), so the answer reflects everything recorded.
 */
import { parseArgs } from 'node:util';
import { fixedClock } from '@app/domain';
import { EVENT_STORE, EventStore, EventStoreModule, storageConfigFromEnv } from '@app/event-store';
import { connectRedis, followUpConfigFromEnv, runFollowUpTick } from '@app/follow-ups';
import {
  ProjectionRunner,
  allProjections,
  projectionMigrations,
  waitForProjections,
} from '@app/projections';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { followUpRecorder } from './follow-ups/recorder';

const USAGE = `usage: npm run followups:tick -- --at <ISO 8601 date>

Runs the follow-up scheduler once as at the date: schedules, cancels and raises due revisits.
Configuration as for the worker (DATABASE_URL, REDIS_URL, FOLLOW_UP_QUEUE_PREFIX, ...).
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { at: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const at = new Date(values.at ?? '');
  if (Number.isNaN(at.getTime())) {
    process.stderr.write(`--at must be an ISO 8601 date\n\n${USAGE}`);
    return 2;
  }
  const followUps = followUpConfigFromEnv();
  const app = await NestFactory.createApplicationContext(
    EventStoreModule.forRoot(storageConfigFromEnv(), projectionMigrations),
    { logger: ['error', 'warn'] },
  );
  const db = app.get(DataSource);
  const store = app.get<EventStore>(EVENT_STORE);
  const projections = allProjections();
  const runner = new ProjectionRunner(store, db, projections, { standbyRetryMs: 100 });
  const caughtUp = async () =>
    waitForProjections(
      db,
      projections.map((p) => p.name),
      await store.headPosition(),
      120_000,
    );
  const redis = connectRedis(followUps.redisUrl);
  runner.start();
  try {
    await caughtUp();
    const clock = fixedClock(at);
    const result = await runFollowUpTick(
      {
        db,
        recorder: followUpRecorder(store, clock),
        redis,
        policy: followUps.policy,
        prefix: followUps.prefix,
      },
      at,
    );
    await caughtUp();
    process.stdout.write(`${JSON.stringify({ at: at.toISOString(), ...result })}\n`);
    return 0;
  } finally {
    await runner.stop();
    await redis.quit();
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    new Logger('followups:tick').error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    process.exit(1);
  },
);
