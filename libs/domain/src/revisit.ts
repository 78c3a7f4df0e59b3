/**
 * The twelve-month revisit's one rule: what a one-year-on assessment is, and when it completes a
 * revisit. Every reader (the decider's state, the follow-up and outcomes read models, returns, the
 * demo generator) asks these functions, so "was this family revisited?" has one answer.
 *
 * A one-year-on assessment is recorded by completing the revisit (`FollowUpCompleted`, which
 * carries the assessment); the decider refuses a bare `DomainAssessmentRecorded` of stage
 * `follow_up`. Streams written before that rule may hold such bare assessments: they read as what
 * they meant, the revisit of the family's current episode done on that date.
 */
import { DomainAssessment, FamilyEvent, FollowUpMissedReason, IsoDateTime } from './events';

/** The revisit's outcome recorded so far (`none`: not scheduled yet). */
export type FollowUpStatus = 'none' | 'scheduled' | 'due' | 'completed' | 'missed' | 'cancelled';

/** Why a revisit could not be done: a closed list (`missed` needs one of these). */
export const FOLLOW_UP_MISSED_REASONS: readonly FollowUpMissedReason[] = [
  'uncontactable',
  'declined',
  'moved_area',
  'other',
];

/** The outcome domains an assessment can cover (`evidenceSources` says how, it is no domain). */
export const ASSESSED_DOMAINS = [
  'asbTypes',
  'housingEnforcementActions',
  'educationProblems',
  'truancyExclusionBehaviour',
  'childProtectionConcern',
  'domesticViolence',
  'drugAlcoholProblem',
] as const satisfies readonly (keyof DomainAssessment)[];

/** The domains an assessment assessed (a field absent or null is "not assessed"). */
export const assessedDomains = (a: DomainAssessment): string[] =>
  ASSESSED_DOMAINS.filter((k) => a[k] !== undefined && a[k] !== null);

/** A one-year-on assessment: of which episode, when, and what it found. */
export interface OneYearOnAssessment {
  episode: number;
  at: IsoDateTime;
  assessment: DomainAssessment;
}

/**
 * The one-year-on assessment an event records, if any. `currentEpisode` is the family's latest
 * episode number before the event (a bare stage-`follow_up` assessment, stored before the rule,
 * belongs to it: the decider accepted one only once that episode had exited).
 */
export function oneYearOnAssessment(
  event: FamilyEvent,
  currentEpisode: number | undefined,
): OneYearOnAssessment | undefined {
  if (event.type === 'FollowUpCompleted') {
    const { episode, occurredAt, assessment } = event.data;
    return { episode, at: occurredAt, assessment };
  }
  if (event.type === 'DomainAssessmentRecorded' && event.data.stage === 'follow_up') {
    if (currentEpisode === undefined) return undefined;
    const { stage: _s, occurredAt, beforeReferral: _b, ...assessment } = event.data;
    return { episode: currentEpisode, at: occurredAt, assessment };
  }
  return undefined;
}

/**
 * Whether a one-year-on assessment completes a revisit in this state: one not yet resolved
 * (including one not yet scheduled: a stored bare assessment may predate the sweep).
 */
export const completesRevisit = (status: FollowUpStatus) =>
  status === 'none' || status === 'scheduled' || status === 'due';

/** Whether the revisit was done: the only meaning of "revisited" anywhere. */
export const isRevisited = (status: FollowUpStatus) => status === 'completed';

type StatusEvent = 'FollowUpScheduled' | 'FollowUpDue' | 'FollowUpMissed' | 'FollowUpCancelled';
const AFTER: Record<StatusEvent, FollowUpStatus> = {
  FollowUpScheduled: 'scheduled',
  FollowUpDue: 'due',
  FollowUpMissed: 'missed',
  FollowUpCancelled: 'cancelled',
};

/**
 * The revisit's status after a follow-up event. A completed revisit stays completed: a stored
 * stream may schedule (or raise) a revisit already done by a bare one-year-on assessment, and
 * that schedule adds its dates, not a second visit.
 */
export function followUpStatusAfter(status: FollowUpStatus, type: StatusEvent): FollowUpStatus {
  return status === 'completed' ? status : AFTER[type];
}
