import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, MigrationInterface } from 'typeorm';
import { DatabaseConfig, createDataSource, migrateFor } from './postgres/database';
import { eventStoreMigrations } from './postgres/migrations';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { EventStore } from './event-store';

/** Injection token of the `EventStore` port. */
export const EVENT_STORE = Symbol('EventStore');

/** Where the data lives: `loadConfig().storage` (`@app/config`), or a test's own. */
export interface StorageConfig {
  database: DatabaseConfig;
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreConnectionString?: string;
}

@Injectable()
class StorageLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * PostgreSQL (read models, migrations, and the default event store) and the configured event
 * store, for any app. Migrations of every library the app uses are passed in and run on start.
 */
@Global()
@Module({})
export class EventStoreModule {
  static forRoot(
    config: StorageConfig,
    migrations: (new () => MigrationInterface)[] = [],
  ): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            const all = [...eventStoreMigrations, ...migrations];
            const dataSource = createDataSource(config.database, all);
            await migrateFor(dataSource, config.database, all);
            return dataSource;
          },
        },
        {
          provide: EVENT_STORE,
          // Depends on DataSource so the event store's tables exist before it is used.
          inject: [DataSource],
          useFactory: (): EventStore =>
            config.eventStore === 'eventstoredb'
              ? EventStoreDbEventStore.connect(config.eventStoreConnectionString!, {
                  logger: new Logger('event-store'),
                })
              : PostgresEventStore.connect(config.database),
        },
        StorageLifecycle,
      ],
      exports: [DataSource, EVENT_STORE],
    };
  }
}
