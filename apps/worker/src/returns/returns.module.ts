import { OutcomeDefinitions } from '@app/outcomes';
import { CellKeys, ReturnsConfig } from '@app/returns';
import { DynamicModule, Module } from '@nestjs/common';
import { CELL_KEYS, DEFINITIONS, RETURNS_CONFIG, ReturnsWorker } from './returns.worker';

@Module({})
export class ReturnsWorkerModule {
  static forRoot(
    config: ReturnsConfig,
    definitions: OutcomeDefinitions,
    cellKeys: CellKeys,
  ): DynamicModule {
    return {
      module: ReturnsWorkerModule,
      providers: config.enabled
        ? [
            { provide: RETURNS_CONFIG, useValue: config },
            { provide: DEFINITIONS, useValue: definitions },
            { provide: CELL_KEYS, useValue: cellKeys },
            ReturnsWorker,
          ]
        : [],
    };
  }
}
