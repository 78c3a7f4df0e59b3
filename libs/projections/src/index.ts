import { FamiliesProjection } from './families.projection';
import { ReadModels1763800000000 } from './migrations/1763800000000-ReadModels';
import { Outcomes1763900000000 } from './migrations/1763900000000-Outcomes';
import { OutcomesProjection } from './outcomes.projection';
import { Projection } from './projection';
import { TimelineProjection } from './timeline.projection';

export * from './batches';
export * from './projection';
export * from './runner';
export * from './outcomes.projection';
export * from './outcomes.queries';
export { FamiliesProjection, TimelineProjection };

export const projectionMigrations = [ReadModels1763800000000, Outcomes1763900000000];

/** Every projection the worker runs, in one place. */
export const allProjections = (): Projection[] => [
  new FamiliesProjection(),
  new TimelineProjection(),
  new OutcomesProjection(),
];
