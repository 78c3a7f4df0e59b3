import { Global, Module } from '@nestjs/common';
import { Dependencies } from './dependencies';
import { HealthController } from './health.controller';

/** Global, so the metrics report dependencies from the same check as `/health`. */
@Global()
@Module({ controllers: [HealthController], providers: [Dependencies], exports: [Dependencies] })
export class HealthModule {}
