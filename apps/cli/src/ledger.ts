/** The database the CLI works on: the event store and read models, migrated, as the worker sees them. */
import { AppConfig, ConfigModule } from '@app/config';
import { EVENT_STORE, EventStore, EventStoreModule } from '@app/event-store';
import { RedisLinks, RedisLinksModule } from '@app/follow-ups';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections } from '@app/read-models';
import { applicationMigrations } from '@app/read-models/schema';
import { LOGGING_START, loggingModule } from '@app/observability';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { cliConfig } from './config';

export interface Ledger {
  db: DataSource;
  store: EventStore;
  /** The configuration the CLI read at start (`cliConfig`). */
  config: AppConfig;
  /** Redis, through the apps' one provider (opened only when a command asks). */
  redis: RedisLinks;
  close(): Promise<void>;
}

/**
 * Connects with the worker's configuration (DATABASE_URL, DATABASE_SCHEMA, EVENT_STORE …); `owner`
 * connects as the owner role (DATABASE_MIGRATION_URL, when set) for work that creates and swaps
 * tables, as `outcomes rebuild` does.
 */
export async function openLedger(options: { owner?: boolean } = {}): Promise<Ledger> {
  const config = cliConfig();
  let storage = config.storage;
  if (options.owner && storage.database.migrationUrl) {
    storage = { ...storage, database: { ...storage.database, url: storage.database.migrationUrl } };
  }
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    {
      module: class CliLedger {},
      imports: [
        ConfigModule.forRoot(config),
        loggingModule('cli', config),
        EventStoreModule.forRoot(storage, applicationMigrations),
        RedisLinksModule,
      ],
    },
    LOGGING_START,
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  return {
    db: app.get(DataSource),
    store: app.get<EventStore>(EVENT_STORE),
    config,
    redis: app.get(RedisLinks),
    close: () => app.close(),
  };
}

/**
 * Runs every projection in this process while `work` runs (standing by if a worker already holds
 * them); `caughtUp()` waits until the read models reflect every event written so far.
 */
export async function withProjections<T>(
  ledger: Ledger,
  work: (caughtUp: () => Promise<void>) => Promise<T>,
  batchSize = 500,
): Promise<T> {
  const projections = allProjections();
  const runner = new ProjectionRunner(ledger.store, ledger.db, projections, {
    standbyRetryMs: 100,
    batchSize,
  });
  const caughtUp = async () =>
    waitForProjections(
      ledger.db,
      projections.map((p) => p.name),
      await ledger.store.lastPosition(),
      10 * 60_000,
    );
  await runner.verify();
  runner.start();
  try {
    return await work(caughtUp);
  } finally {
    await runner.stop();
  }
}
