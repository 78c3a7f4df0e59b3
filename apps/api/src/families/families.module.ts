import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CodeListsController } from './code-lists.controller';
import { FamiliesController } from './families.controller';
import { GetFamilyHandler, GetTimelineHandler, ListFamiliesHandler } from './queries';
import { RecordFamilyEventHandler } from './record-family-event';

@Module({
  imports: [CqrsModule],
  controllers: [FamiliesController, CodeListsController],
  providers: [RecordFamilyEventHandler, GetFamilyHandler, GetTimelineHandler, ListFamiliesHandler],
})
export class FamiliesModule {}
