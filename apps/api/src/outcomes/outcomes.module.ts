import { APP_CONFIG, AppConfig } from '@app/config';
import { loadDefinitions } from '@app/outcomes';
import { disclosureRule } from '@app/returns';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OutcomesController } from './outcomes.controller';
import { DISCLOSURE_RULE } from './disclosure-rule';
import { GetCohortSummaryHandler, GetOutcomesHandler, OUTCOME_DEFINITIONS } from './queries';

@Module({
  imports: [CqrsModule],
  controllers: [OutcomesController],
  providers: [
    // Loaded and checked once at start: a broken definitions file stops the API from starting.
    {
      provide: OUTCOME_DEFINITIONS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        loadDefinitions({ extraDir: config.outcomeDefinitionsDir }),
    },
    {
      provide: DISCLOSURE_RULE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => disclosureRule(config.disclosureThreshold),
    },
    GetOutcomesHandler,
    GetCohortSummaryHandler,
  ],
  exports: [OUTCOME_DEFINITIONS, DISCLOSURE_RULE],
})
export class OutcomesModule {}
