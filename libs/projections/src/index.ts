// The generic projection runner: it knows no read model, no domain and no store table.
import { CheckpointStore1764820000001 } from './migrations/1764820000001-CheckpointStore';
import { FollowUps1764000000000 } from './migrations/1764000000000-FollowUps';
import { FollowUpListIndexes1764720000000 } from './migrations/1764720000000-FollowUpListIndexes';
import { Revisited1764805000000 } from './migrations/1764805000000-Revisited';

export * from './batches';
export * from './checkpoint-identity';
export * from './projection';
export * from './runner';
export * from './rebuild';
export * from './queryable';
export { loadProjections } from './replay-workers';
export { FollowUpsProjection } from './follow-ups.projection';
export type { FollowUpRow } from './follow-ups.projection';

/** The runner's own table: its checkpoints' store identity (the checkpoints table is older). */
export const runnerMigrations = [CheckpointStore1764820000001];

/**
 * The follow-ups' migrations, still here until they move to @app/follow-ups (issue 18);
 * @app/read-models lists them with every other read-side migration. `Revisited` changes the
 * families', outcomes' and follow-ups' tables; it was written for the follow-ups' rule.
 */
export const followUpMigrations = [
  FollowUps1764000000000,
  FollowUpListIndexes1764720000000,
  Revisited1764805000000,
];
