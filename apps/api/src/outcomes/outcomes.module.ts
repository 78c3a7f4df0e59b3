import { definitionsFromEnv } from '@app/outcomes';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OutcomesController } from './outcomes.controller';
import { GetCohortSummaryHandler, GetOutcomesHandler, OUTCOME_DEFINITIONS } from './queries';

@Module({
  imports: [CqrsModule],
  controllers: [OutcomesController],
  providers: [
    // Loaded and checked once at start: a broken definitions file stops the API from starting.
    { provide: OUTCOME_DEFINITIONS, useFactory: () => definitionsFromEnv() },
    GetOutcomesHandler,
    GetCohortSummaryHandler,
  ],
  exports: [OUTCOME_DEFINITIONS],
})
export class OutcomesModule {}
