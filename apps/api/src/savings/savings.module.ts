import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { GetSavingsHandler, costRegistryProvider } from './queries';
import { SavingsController } from './savings.controller';

@Module({
  // The outcome definitions come from OutcomesModule: one set, loaded once.
  imports: [CqrsModule, OutcomesModule],
  controllers: [SavingsController],
  providers: [costRegistryProvider, GetSavingsHandler],
})
export class SavingsModule {}
