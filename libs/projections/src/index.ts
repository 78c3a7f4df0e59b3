import { FamiliesProjection } from './families.projection';
import { ReadModels1763800000000 } from './migrations/1763800000000-ReadModels';
import { Projection } from './projection';
import { TimelineProjection } from './timeline.projection';

export * from './batches';
export * from './projection';
export * from './runner';
export { FamiliesProjection, TimelineProjection };

export const projectionMigrations = [ReadModels1763800000000];

/** Every projection the worker runs, in one place. */
export const allProjections = (): Projection[] => [
  new FamiliesProjection(),
  new TimelineProjection(),
];
