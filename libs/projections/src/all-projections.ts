import { FamiliesProjection } from './families.projection';
import { FollowUpsProjection } from '@app/follow-ups/read-model/projection';
import { OutcomesProjection } from './outcomes.projection';
import { Projection } from './projection';
import { TimelineProjection } from './timeline.projection';

/** Every projection the worker runs, in one place (a rebuild's replay workers make theirs here). */
export const allProjections = (): Projection[] => [
  new FamiliesProjection(),
  new TimelineProjection(),
  new OutcomesProjection(),
  new FollowUpsProjection(),
];
