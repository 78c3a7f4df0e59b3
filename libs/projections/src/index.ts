import {
  OutcomeFamilyPositions1764730000000,
  OutcomeRollup1764710000000,
  Outcomes1763900000000,
} from '@app/outcomes';
import { FamiliesProjection } from './families.projection';
import { ReadModels1763800000000 } from './migrations/1763800000000-ReadModels';
import { FollowUps1764000000000 } from './migrations/1764000000000-FollowUps';
import { ProgrammeCosts1764150000000 } from './migrations/1764150000000-ProgrammeCosts';
import { ApiKeys1764600000000 } from './migrations/1764600000000-ApiKeys';
import { AuditLog1764610000000 } from './migrations/1764610000000-AuditLog';
import { FamilyKeys1764650000000 } from './migrations/1764650000000-FamilyKeys';
import { FollowUpListIndexes1764720000000 } from './migrations/1764720000000-FollowUpListIndexes';
import { Revisited1764805000000 } from './migrations/1764805000000-Revisited';
import { CheckpointStore1764820000001 } from './migrations/1764820000001-CheckpointStore';
import { TimelineProjection } from './timeline.projection';

export * from './all-projections';
export * from './batches';
export * from './checkpoint-identity';
export * from './projection';
export * from './runner';
export * from './rebuild';
export * from './queryable';
export { FamiliesProjection, TimelineProjection };
export { FollowUpsProjection } from './follow-ups.projection';
export type { FollowUpRow } from './follow-ups.projection';

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
