import { APP_CONFIG, AppConfig } from '@app/config';
import { loadDefinitions } from '@app/outcomes';
import { cellKeys, disclosureRule } from '@app/returns';
import { cellKeySecretFrom } from '@app/security';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OutcomesController } from './outcomes.controller';
import { DISCLOSURE_RULE } from './disclosure-rule';
import {
  CELL_KEYS,
  GetCohortSummaryHandler,
  GetOutcomesHandler,
  OUTCOME_DEFINITIONS,
} from './queries';

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
    {
      // The secret is read once at start (from CELL_KEY_SECRET or the master key).
      provide: CELL_KEYS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => cellKeys(cellKeySecretFrom(config)),
    },
    GetOutcomesHandler,
    GetCohortSummaryHandler,
  ],
  exports: [OUTCOME_DEFINITIONS, DISCLOSURE_RULE, CELL_KEYS],
})
export class OutcomesModule {}
