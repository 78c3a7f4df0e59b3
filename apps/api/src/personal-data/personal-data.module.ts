import { PersonalDataVault } from '@app/security';
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
      inject: [DataSource],
      useFactory: (db: DataSource) => new PersonalDataVault(db),
    },
  ],
  exports: [PersonalDataVault],
})
export class PersonalDataModule {}
