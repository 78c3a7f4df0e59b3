/**
 * The follow-up policy is the domain's (the decider schedules a revisit by it): re-exported here
 * for the engine, the CLI and the tests that import it from this library.
 */
export {
  DEFAULT_FOLLOW_UP_POLICY,
  addDuration,
  completedOnTime,
  parseDuration,
  parsePolicy,
  qualifiesForFollowUp,
  scheduleFor,
} from '@app/domain';
export type { FollowUpPolicy, FollowUpSchedule } from '@app/domain';
export type { FollowUpListStatus, RecordedFollowUpStatus } from './read-model/status';
export { statusAt } from './read-model/status';
