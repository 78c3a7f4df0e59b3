// The generic projection runner: it knows no read model, no domain and no store table.
import { CheckpointStore1764820000001 } from './migrations/1764820000001-CheckpointStore';
import { Outcomes1763900000000 } from './migrations/1763900000000-Outcomes';
import { FollowUps1764000000000 } from './migrations/1764000000000-FollowUps';
import { OutcomeRollup1764710000000 } from './migrations/1764710000000-OutcomeRollup';
import { FollowUpListIndexes1764720000000 } from './migrations/1764720000000-FollowUpListIndexes';
import { OutcomeFamilyPositions1764730000000 } from './migrations/1764730000000-OutcomeFamilyPositions';
import { Revisited1764805000000 } from './migrations/1764805000000-Revisited';

export * from './batches';
export * from './checkpoint-identity';
export * from './projection';
export * from './runner';
export * from './rebuild';
export { loadProjections } from './replay-workers';
export * from './outcomes.projection';
export * from './outcomes.queries';
export { FollowUpsProjection } from './follow-ups.projection';
export type { FollowUpRow } from './follow-ups.projection';

/** The runner's own table: its checkpoints' store identity (the checkpoints table is older). */
export const runnerMigrations = [CheckpointStore1764820000001];

/**
 * The follow-ups' and outcomes' migrations, still here until they move to @app/follow-ups and
 * @app/outcomes (issue 18); @app/read-models lists them with every other read-side migration.
 */
export const followUpMigrations = [FollowUps1764000000000, FollowUpListIndexes1764720000000];
export const outcomeMigrations = [
  Outcomes1763900000000,
  OutcomeRollup1764710000000,
  OutcomeFamilyPositions1764730000000,
  Revisited1764805000000,
];
