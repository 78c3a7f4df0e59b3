import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import {
  FollowUpsController,
  GetFollowUpHandler,
  ListFollowUpsHandler,
} from './follow-ups.controller';

/** The follow-up working list; writes go through the families' `RecordFamilyEventHandler`. */
@Module({
  imports: [CqrsModule],
  controllers: [FollowUpsController],
  providers: [ListFollowUpsHandler, GetFollowUpHandler],
})
export class FollowUpsModule {}
