import { APP_CONFIG, AppConfig, ConfigModule } from '@app/config';
import { EVENT_STORE, EventStore, EventStoreModule } from '@app/event-store';
import { followUpConfigFrom } from '@app/follow-ups';
import { loadDefinitions } from '@app/outcomes';
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

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const logger = new Logger('projections');
    this.runner = new ProjectionRunner(store, dataSource, allProjections(), {
      streamPrefixes: [FAMILY_STREAM_PREFIX],
      batchSize: config.projections.batchSize,
      analyzeAfter: config.projections.analyzeAfter,
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
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule('worker', config),
        EventStoreModule.forRoot(config.storage, [
          ...readModelMigrations,
          ...securityMigrations,
          ...savingsMigrations,
          ...returnsMigrations,
        ]),
        RedisLinksModule,
        FollowUpsWorkerModule.forRoot(followUpConfigFrom(config.followUps)),
        ReturnsWorkerModule.forRoot(
          config.returns,
          loadDefinitions({ extraDir: config.outcomeDefinitionsDir }),
        ),
      ],
      providers: [
        Projections,
        {
          provide: Heartbeat,
          inject: [DataSource],
          useFactory: (db: DataSource) => new Heartbeat(db, config.workerHeartbeatFile),
        },
      ],
    };
  }
}
