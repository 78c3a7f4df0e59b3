import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config';

/** Injection token of the `AppConfig` the app was started with. */
export const APP_CONFIG = Symbol('AppConfig');

/**
 * The configuration as a global provider: the entry point reads it once (`loadConfig`) and every
 * module injects `APP_CONFIG` instead of reading the environment.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
