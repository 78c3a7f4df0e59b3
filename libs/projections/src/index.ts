// The generic projection runner: it knows no read model, no domain and no store table.
import { CheckpointStore1764820000001 } from './migrations/1764820000001-CheckpointStore';

export * from './batches';
export * from './checkpoint-identity';
export * from './projection';
export * from './runner';
export * from './rebuild';
export * from './queryable';
export * from './sql';
export { loadProjections } from './replay-workers';

/** The runner's own table: its checkpoints' store identity (the checkpoints table is older). */
export const runnerMigrations = [CheckpointStore1764820000001];
