import { EVENT_STORE, EventStore, EventStoreModule, StorageConfig } from '@app/event-store';
import { loggingModule } from '@app/observability';
import { ProjectionRunner } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FAMILY_STREAM_PREFIX } from '@app/domain';
import { FollowUpsWorkerModule } from './follow-ups/follow-ups.module';
import { RedisLinksModule } from './redis/redis-link';
import { ReturnsWorkerModule } from './returns/returns.module';
import { returnsMigrations } from '@app/returns';
import { Heartbeat } from './heartbeat';

/** Runs every projection from its checkpoint for as long as the worker lives. */
@Injectable()
class Projections implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: ProjectionRunner;

  constructor(@Inject(EVENT_STORE) store: EventStore, dataSource: DataSource) {
    const logger = new Logger('projections');
    this.runner = new ProjectionRunner(store, dataSource, allProjections(), {
      streamPrefixes: [FAMILY_STREAM_PREFIX],
      batchSize: Number(process.env.PROJECTION_BATCH_SIZE ?? 500),
      analyzeAfter: Number(process.env.PROJECTION_ANALYZE_AFTER ?? 100_000),
      logger: { log: (m) => logger.log(m), error: (m) => logger.error(m) },
    });
  }

  /** Refuses to start (the worker exits, saying to rebuild) on checkpoints of another store. */
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.verify();
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

@Module({})
export class WorkerModule {
  static forRoot(config: StorageConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        loggingModule('worker'),
        EventStoreModule.forRoot(config, [
          ...readModelMigrations,
          ...securityMigrations,
          ...savingsMigrations,
          ...returnsMigrations,
        ]),
        RedisLinksModule,
        FollowUpsWorkerModule.forRoot(),
        ReturnsWorkerModule.forRoot(),
      ],
      providers: [
        Projections,
        {
          provide: Heartbeat,
          inject: [DataSource],
          useFactory: (db: DataSource) => new Heartbeat(db, process.env.WORKER_HEARTBEAT_FILE),
        },
      ],
    };
  }
}
