import { APP_CONFIG, AppConfig } from '@app/config';
import { recipientKeysFrom } from '@app/returns';
import { Module } from '@nestjs/common';
import { OutcomesModule } from '../outcomes/outcomes.module';
import {
  RECIPIENT_KEYS,
  RETURNS_CONFIG,
  ReturnsController,
  ReturnsQueue,
} from './returns.controller';

@Module({
  // The outcome definitions come from OutcomesModule: one set, loaded once.
  imports: [OutcomesModule],
  controllers: [ReturnsController],
  providers: [
    { provide: RETURNS_CONFIG, inject: [APP_CONFIG], useFactory: (c: AppConfig) => c.returns },
    // Read once at start: a malformed key file stops the API rather than leaking a weak key.
    {
      provide: RECIPIENT_KEYS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => recipientKeysFrom(c.extractRecipientKeys),
    },
    ReturnsQueue,
  ],
})
export class ReturnsModule {}
