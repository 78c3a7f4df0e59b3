import { AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { followUpConfigFrom } from '@app/follow-ups';
import { loadDefinitions } from '@app/outcomes';
import { loggingModule } from '@app/observability';
import { applicationMigrations } from '@app/read-models/schema';
import { cellKeys } from '@app/returns';
import { cellKeySecretFrom } from '@app/security';
import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FollowUpsWorkerModule } from './follow-ups/follow-ups.module';
import { RedisLinksModule } from './redis/redis-link';
import { ReturnsWorkerModule } from './returns/returns.module';
import { Heartbeat } from './heartbeat';
import { Projections, WORKER_DEFINITIONS } from './projections';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Loaded once: the projections and the return builds read the same definitions.
    const definitions = loadDefinitions({ extraDir: config.outcomeDefinitionsDir });
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule('worker', config),
        EventStoreModule.forRoot(config.storage, applicationMigrations),
        RedisLinksModule,
        FollowUpsWorkerModule.forRoot(followUpConfigFrom(config.followUps)),
        // The record keys' secret is read once at start (CELL_KEY_SECRET or the master key).
        ReturnsWorkerModule.forRoot(
          config.returns,
          definitions,
          cellKeys(cellKeySecretFrom(config)),
        ),
      ],
      providers: [
        { provide: WORKER_DEFINITIONS, useValue: definitions },
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
