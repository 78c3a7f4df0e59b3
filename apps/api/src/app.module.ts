import { systemClock } from '@app/domain';
import { AppConfig, ConfigModule } from '@app/config';
import { EventStoreModule, StorageConfig } from '@app/event-store';
import { RedisLinksModule } from '@app/follow-ups';
import { loggingModule } from '@app/observability';
import { applicationMigrations } from '@app/read-models/schema';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CLOCK } from './clock';
import { CodeListsModule } from './families/code-lists.module';
import { FamiliesModule } from './families/families.module';
import { FollowUpsModule } from './follow-ups/follow-ups.module';
import { HealthModule } from './health/health.module';
import { PageLinks } from './http/page-links';
import { ProblemFilter } from './http/problems';
import { RequestValidation } from './http/validation';
import { MetricsModule } from './metrics/metrics.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ReturnsModule } from './returns/returns.module';
import { SavingsModule } from './savings/savings.module';
import { PersonalDataModule } from './personal-data/personal-data.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, storage: StorageConfig = config.storage): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule('api', config),
        EventStoreModule.forRoot(storage, applicationMigrations),
        RedisLinksModule,
        DiscoveryModule,
        AuthModule,
        AuditModule,
        PersonalDataModule,
        ClockModule,
        CodeListsModule,
        FamiliesModule,
        OutcomesModule,
        FollowUpsModule,
        ReturnsModule,
        SavingsModule,
        HealthModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: PageLinks },
        // Request bodies typed with a DTO arrive validated (apps/api/src/http/validation.ts).
        { provide: APP_PIPE, useClass: RequestValidation },
      ],
    };
  }
}

@Global()
@Module({ providers: [{ provide: CLOCK, useValue: systemClock }], exports: [CLOCK] })
class ClockModule {}
