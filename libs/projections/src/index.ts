import { FamiliesProjection } from './families.projection';
import { ReadModels1763800000000 } from './migrations/1763800000000-ReadModels';
import { Outcomes1763900000000 } from './migrations/1763900000000-Outcomes';
import { ProgrammeCosts1764150000000 } from './migrations/1764150000000-ProgrammeCosts';
import { ApiKeys1764600000000 } from './migrations/1764600000000-ApiKeys';
import { AuditLog1764610000000 } from './migrations/1764610000000-AuditLog';
import { FamilyKeys1764650000000 } from './migrations/1764650000000-FamilyKeys';
import { OutcomeRollup1764710000000 } from './migrations/1764710000000-OutcomeRollup';
import { OutcomeFamilyPositions1764730000000 } from './migrations/1764730000000-OutcomeFamilyPositions';
import { CheckpointStore1764820000001 } from './migrations/1764820000001-CheckpointStore';
import { TimelineProjection } from './timeline.projection';
import {
  FollowUpListIndexes1764720000000,
  FollowUps1764000000000,
  Revisited1764805000000,
} from '@app/follow-ups/read-model/migrations';

export * from './all-projections';
export * from './batches';
export * from './checkpoint-identity';
export * from './projection';
export * from './runner';
export * from './rebuild';
export * from './outcomes.projection';
export * from './outcomes.queries';
export { FamiliesProjection, TimelineProjection };
export { FollowUpsProjection } from '@app/follow-ups/read-model/projection';
export type { FollowUpRow } from '@app/follow-ups/read-model/evolve';

export const projectionMigrations = [
  ReadModels1763800000000,
  Outcomes1763900000000,
  FollowUps1764000000000,
  ProgrammeCosts1764150000000,
  ApiKeys1764600000000,
  AuditLog1764610000000,
  FamilyKeys1764650000000,
  OutcomeRollup1764710000000,
  FollowUpListIndexes1764720000000,
  OutcomeFamilyPositions1764730000000,
  Revisited1764805000000,
  CheckpointStore1764820000001,
];
