export * from './roles';
export * from './pii-crypto';
export * from './personal-data';
import { FamilyKeys1764100000000 } from './migrations/1764100000000-FamilyKeys';

/** Tables of personal data (`family_keys`): every app that records or reads families runs them. */
export const personalDataMigrations = [FamilyKeys1764100000000];
