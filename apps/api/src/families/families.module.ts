import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { FamiliesController } from './families.controller';
import { GetFamilyHandler, GetTimelineHandler, ListFamiliesHandler } from './queries';
import { RecordFamilyEventHandler } from './record-family-event';

@Module({
  imports: [CqrsModule],
  controllers: [FamiliesController],
  providers: [RecordFamilyEventHandler, GetFamilyHandler, GetTimelineHandler, ListFamiliesHandler],
})
export class FamiliesModule {}
