import { definitionsFromEnv } from '@app/outcomes';
import { recipientKeysFromEnv, returnsConfigFromEnv } from '@app/returns';
import { Module } from '@nestjs/common';
import { OUTCOME_DEFINITIONS } from '../outcomes/queries';
import {
  RECIPIENT_KEYS,
  RETURNS_CONFIG,
  ReturnsController,
  ReturnsQueue,
} from './returns.controller';

@Module({
  controllers: [ReturnsController],
  providers: [
    { provide: RETURNS_CONFIG, useFactory: () => returnsConfigFromEnv() },
    // Read once at start: a malformed key file stops the API rather than leaking a weak key.
    { provide: RECIPIENT_KEYS, useFactory: () => recipientKeysFromEnv() },
    { provide: OUTCOME_DEFINITIONS, useFactory: () => definitionsFromEnv() },
    ReturnsQueue,
  ],
})
export class ReturnsModule {}
