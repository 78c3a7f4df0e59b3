import { OutcomeDefinitions } from '@app/outcomes';
import { ReturnsConfig } from '@app/returns';
import { DynamicModule, Module } from '@nestjs/common';
import { DEFINITIONS, RETURNS_CONFIG, ReturnsWorker } from './returns.worker';

@Module({})
export class ReturnsWorkerModule {
  static forRoot(config: ReturnsConfig, definitions: OutcomeDefinitions): DynamicModule {
    return {
      module: ReturnsWorkerModule,
      providers: config.enabled
        ? [
            { provide: RETURNS_CONFIG, useValue: config },
            { provide: DEFINITIONS, useValue: definitions },
            ReturnsWorker,
          ]
        : [],
    };
  }
}
