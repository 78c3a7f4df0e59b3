import { APP_CONFIG, AppConfig } from '@app/config';
import { PersonalDataVault, masterKeyFrom } from '@app/security';
import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ErasureController } from './erasure.controller';

/**
 * Personal data: the vault that seals details on the way in and opens them on the way out (used by
 * the families capability), and the erasure endpoint.
 */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [ErasureController],
  providers: [
    {
      provide: PersonalDataVault,
      // The master key is read once at start: production without PII_MASTER_KEY does not start.
      inject: [DataSource, APP_CONFIG],
      useFactory: (db: DataSource, config: AppConfig) =>
        new PersonalDataVault(db, masterKeyFrom(config)),
    },
  ],
  exports: [PersonalDataVault],
})
export class PersonalDataModule {}
