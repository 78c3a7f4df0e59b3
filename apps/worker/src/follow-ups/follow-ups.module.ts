import { FollowUpConfig } from '@app/follow-ups';
import { DynamicModule, Module } from '@nestjs/common';
import { FOLLOW_UP_CONFIG, FollowUpWorker } from './follow-up.worker';

@Module({})
export class FollowUpsWorkerModule {
  static forRoot(config: FollowUpConfig): DynamicModule {
    return {
      module: FollowUpsWorkerModule,
      providers: config.enabled
        ? [{ provide: FOLLOW_UP_CONFIG, useValue: config }, FollowUpWorker]
        : [],
    };
  }
}
