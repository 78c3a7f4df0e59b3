import { FollowUps1764000000000 } from './1764000000000-FollowUps';
import { FollowUpListIndexes1764720000000 } from './1764720000000-FollowUpListIndexes';
import { Revisited1764805000000 } from './1764805000000-Revisited';

export { FollowUps1764000000000, FollowUpListIndexes1764720000000, Revisited1764805000000 };

/** The follow-ups slice's migrations, in timestamp order (the registry merges every slice's). */
export const followUpMigrations = [
  FollowUps1764000000000,
  FollowUpListIndexes1764720000000,
  Revisited1764805000000,
];
