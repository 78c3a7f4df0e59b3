import { APP_CONFIG, AppConfig } from '@app/config';
import { extractRecipientsFrom } from '@app/returns';
import { Module } from '@nestjs/common';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { EXTRACT_RECIPIENTS, ExtractController } from './extract.controller';
import { RETURNS_CONFIG, ReturnsController, ReturnsQueue } from './returns.controller';

@Module({
  // The outcome definitions and the disclosure rule come from OutcomesModule: one set, loaded once.
  imports: [OutcomesModule],
  controllers: [ReturnsController, ExtractController],
  providers: [
    { provide: RETURNS_CONFIG, inject: [APP_CONFIG], useFactory: (c: AppConfig) => c.returns },
    // Read and checked once at start: a malformed recipients file stops the API (ConfigInvalid
    // naming the variable) rather than leaking a weak key or binding an extract to nobody.
    {
      provide: EXTRACT_RECIPIENTS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => extractRecipientsFrom(c.extractRecipientKeys),
    },
    ReturnsQueue,
  ],
})
export class ReturnsModule {}
