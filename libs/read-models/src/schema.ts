/*
 * Every migration of the application's own tables (the store's are the event store's), for the
 * API, the worker and the CLI alike: the read models' and the runner's, then the security,
 * savings and returns tables. TypeORM runs them in timestamp order whatever the order here.
 */
import { returnsMigrations } from '@app/returns';
import { savingsMigrations } from '@app/savings';
import { securityMigrations } from '@app/security';
import { readModelMigrations } from './index';

export const applicationMigrations = [
  ...readModelMigrations,
  ...securityMigrations,
  ...savingsMigrations,
  ...returnsMigrations,
];
