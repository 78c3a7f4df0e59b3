export * from './roles';
export * from './principal';
export * from './tokens';
export * from './secret';
export * from './api-keys';
export * from './audit';
export * from './pii-crypto';
export * from './personal-data';

import { ApiKeys1764600000000 } from './migrations/1764600000000-ApiKeys';
import { AuditLog1764610000000 } from './migrations/1764610000000-AuditLog';
import { FamilyKeys1764650000000 } from './migrations/1764650000000-FamilyKeys';

/** The tables of API keys, the audit log and the families' data keys. */
export const securityMigrations = [
  ApiKeys1764600000000,
  AuditLog1764610000000,
  FamilyKeys1764650000000,
];
