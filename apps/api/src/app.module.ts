import { systemClock } from '@app/domain';
import { EventStoreModule, storageConfigFromEnv } from '@app/event-store';
import { loggingModule } from '@app/observability';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { returnsMigrations } from '@app/returns';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CLOCK } from './clock';
import { FamiliesModule } from './families/families.module';
import { FollowUpsModule } from './follow-ups/follow-ups.module';
import { HealthModule } from './health/health.module';
import { PageLinks } from './http/page-links';
import { ProblemFilter } from './http/problems';
import { MetricsModule } from './metrics/metrics.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ReturnsModule } from './returns/returns.module';
import { SavingsModule } from './savings/savings.module';
import { PersonalDataModule } from './personal-data/personal-data.module';

@Module({})
export class AppModule {
  static forRoot(config = storageConfigFromEnv()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('api'),
        EventStoreModule.forRoot(config, [
          ...readModelMigrations,
          ...securityMigrations,
          ...savingsMigrations,
          ...returnsMigrations,
        ]),
        DiscoveryModule,
        AuthModule,
        AuditModule,
        PersonalDataModule,
        ClockModule,
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
      ],
    };
  }
}

@Global()
@Module({ providers: [{ provide: CLOCK, useValue: systemClock }], exports: [CLOCK] })
class ClockModule {}
