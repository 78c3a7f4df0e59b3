/**
 * The family decider: `decide(command, state)` returns the events a command produces or throws a
 * `DomainError`. A family's stream holds one or more episodes: each starts with `FamilyReferred`
 * and is closed by an exit or a refusal, after which only follow-up, movement, transfer, consent
 * or a new referral may follow.
 */
import { checkPayload, personalData } from './checks';
import { FamilyCommand, eventOf, exitedEpisode } from './commands';
import { conflict, invalid } from './errors';
import { FamilyEvent, FamilyEventData, FamilyEventOf, FamilyEventType } from './events';
import { history } from './family';
import { FollowUpStatus } from './revisit';
import {
  Episode,
  EpisodeStatus,
  FamilyState,
  closedAt,
  currentEpisode,
  isOpen,
  time,
} from './state';

// How each event type relates to an episode.
const LIFECYCLE = new Set<FamilyEventType>([
  'FamilyReferred',
  'InterventionOffered',
  'InterventionAccepted',
  'InterventionRefused',
  'SupportPlanAgreed',
  'ReviewHeld',
  'FamilyExited',
]);
/** Facts that may predate the referral: they are the family's baseline history. */
const HISTORY = new Set<FamilyEventType>([
  'AsbIncidentRecorded',
  'HousingEnforcementAction',
  'OffenceRecorded',
  'SchoolAttendanceRecorded',
  'SchoolExclusionRecorded',
  'DomainAssessmentRecorded',
]);
/** The revisit's events (each of an exited episode, by number). */
export const FOLLOW_UP_EVENTS: ReadonlySet<FamilyEventType> = new Set<FamilyEventType>([
  'FollowUpScheduled',
  'FollowUpDue',
  'FollowUpCompleted',
  'FollowUpMissed',
  'FollowUpCancelled',
  'FollowUpAssigned',
]);
/** Allowed at any time once the family is known, even after an exit. */
const ANYTIME = new Set<FamilyEventType>([
  'FamilyMovedArea',
  'ConsentRecorded',
  'ConsentWithdrawn',
  'MemberDetailsRecorded',
  'FamilyErased',
]);

export function decide(command: FamilyCommand, state: FamilyState): FamilyEvent[] {
  const { now } = command;
  const event = command.type === 'RecordFamilyEvent' ? command.event : eventOf(command, state);
  const at = time(event.data.occurredAt);
  if (Number.isNaN(at)) invalid('occurredAt', 'iso-date', 'occurredAt must be an ISO 8601 date');
  if (at > now.getTime()) {
    invalid('occurredAt', 'not-in-future', 'occurredAt must not be in the future');
  }
  checkPayload(event);
  personalData(event, state);

  if (event.type === 'FamilyReferred') return [refer(event, state)];

  const episode = currentEpisode(state);
  if (!episode) {
    return conflict('episode-starts-with-referral', 'an episode starts with FamilyReferred');
  }
  if (event.type === 'FamilyTransferred') return [transfer(event, state, episode)];
  if (ANYTIME.has(event.type)) return [event];
  if (FOLLOW_UP_EVENTS.has(event.type)) return [followUp(event, state)];
  if (HISTORY.has(event.type)) return [history(event, state, episode)];

  if (!isOpen(episode)) {
    return conflict(
      'episode-closed',
      `episode ${episode.number} is closed: only follow-up, movement, consent or a new referral may follow`,
    );
  }
  if (LIFECYCLE.has(event.type)) return [lifecycle(event, episode)];
  return [work(event, state, episode)];
}

function refer(event: FamilyEventOf<'FamilyReferred'>, state: FamilyState): FamilyEvent {
  const episode = currentEpisode(state);
  if (episode && isOpen(episode)) {
    conflict('one-open-episode', `episode ${episode.number} is still open: exit it first`);
  }
  if (episode && time(event.data.occurredAt) < time(closedAt(episode)!)) {
    conflict('lifecycle-date-order', 'a new referral cannot predate the end of the last episode');
  }
  if (state.authority && event.data.authority !== state.authority) {
    conflict(
      'authority-unchanged',
      `the family belongs to authority ${state.authority}; a re-referral cannot change it`,
    );
  }
  return event;
}

/** Only the owning authority hands a family over, and only to another one. */
function transfer(
  event: FamilyEventOf<'FamilyTransferred'>,
  state: FamilyState,
  episode: Episode,
): FamilyEvent {
  if (event.data.fromAuthority !== state.authority) {
    conflict(
      'transfer-from-owning-authority',
      `the family belongs to authority ${state.authority}, not ${event.data.fromAuthority}`,
    );
  }
  if (event.data.toAuthority === event.data.fromAuthority) {
    invalid('toAuthority', 'another-authority', 'toAuthority must differ from fromAuthority');
  }
  if (time(event.data.occurredAt) < time(episode.referredAt)) {
    conflict('after-referral', `a transfer cannot predate the referral (${episode.referredAt})`);
  }
  return event;
}

/** What a lifecycle step needs of the episode: the statuses it may follow, the rule, why. */
type StepNeeds = [allowed: EpisodeStatus[], rule: string, message: string];

function stepNeeds(event: FamilyEvent): StepNeeds | undefined {
  switch (event.type) {
    case 'InterventionOffered':
      return [
        ['referred'],
        'offer-once-after-referral',
        'an intervention is offered once, after referral',
      ];
    case 'InterventionAccepted':
      return [
        ['offered'],
        'accept-after-offer',
        'an intervention can only be accepted once offered',
      ];
    case 'InterventionRefused':
      return event.data.stage === 'offer'
        ? [['offered'], 'refusal-stage', 'refusal at the offer stage needs an open offer']
        : [
            ['accepted'],
            'refusal-stage',
            `refusal at the ${event.data.stage} stage needs an accepted intervention`,
          ];
    case 'SupportPlanAgreed':
      return [
        ['accepted'],
        'support-plan-after-acceptance',
        'a support plan needs an accepted intervention',
      ];
    case 'ReviewHeld':
      return [
        ['accepted'],
        'review-during-intervention',
        'reviews are held during an accepted intervention',
      ];
    case 'FamilyExited':
      return event.data.exitType === 'planned'
        ? [
            ['accepted'],
            'planned-exit-after-acceptance',
            'a planned exit needs an accepted intervention',
          ]
        : undefined;
    default:
      return undefined;
  }
}

function lifecycle(event: FamilyEvent, episode: Episode): FamilyEvent {
  if (time(event.data.occurredAt) < time(episode.lastLifecycleAt)) {
    conflict(
      'lifecycle-date-order',
      `${event.type} cannot be dated before the episode's previous step (${episode.lastLifecycleAt})`,
    );
  }
  const needs = stepNeeds(event);
  if (needs && !needs[0].includes(episode.status)) {
    conflict(needs[1], `${needs[2]} (episode is ${episode.status})`);
  }
  return event;
}

function work(event: FamilyEvent, state: FamilyState, episode: Episode): FamilyEvent {
  if (time(event.data.occurredAt) < time(episode.referredAt)) {
    conflict(
      'after-referral',
      `${event.type} cannot be dated before the referral (${episode.referredAt})`,
    );
  }
  switch (event.type) {
    case 'CafOpened':
      if (state.openCafs[event.data.cafId]) {
        conflict('caf-open-once', `CAF ${event.data.cafId} is already open`);
      }
      break;
    case 'CafReviewed':
    case 'CafClosed': {
      const openedAt = state.openCafs[event.data.cafId];
      if (!openedAt) conflict('caf-must-be-open', `CAF ${event.data.cafId} is not open`);
      if (time(event.data.occurredAt) < time(openedAt)) {
        conflict('lifecycle-date-order', `${event.type} cannot be dated before the CAF opened`);
      }
      break;
    }
    case 'TeamAroundFamilyFormed': {
      const unknown = event.data.cafIds.filter((id) => !state.knownCafs.includes(id));
      if (unknown.length) conflict('caf-must-exist', `unknown CAF(s): ${unknown.join(', ')}`);
      break;
    }
  }
  return event;
}

function followUp(event: FamilyEvent, state: FamilyState): FamilyEvent {
  const data = event.data as FamilyEventData['FollowUpDue'];
  const episode = exitedEpisode(state, data.episode);
  if (time(event.data.occurredAt) < time(episode.exitedAt!)) {
    conflict('lifecycle-date-order', `${event.type} cannot be dated before the exit`);
  }
  const status = episode.followUp;
  const expect = (allowed: FollowUpStatus[], rule: string, message: string) => {
    if (!allowed.includes(status)) conflict(rule, `${message} (follow-up is ${status})`);
  };
  switch (event.type) {
    case 'FollowUpScheduled':
      expect(['none'], 'follow-up-scheduled-once', 'a follow-up is scheduled once per episode');
      break;
    case 'FollowUpDue':
      expect(
        ['scheduled'],
        'due-after-scheduled',
        'a follow-up falls due once, after it was scheduled',
      );
      break;
    case 'FollowUpCompleted':
    case 'FollowUpMissed':
      expect(
        ['scheduled', 'due'],
        'follow-up-resolved-once',
        'a follow-up is completed or missed once, after it was scheduled',
      );
      break;
    case 'FollowUpCancelled':
      expect(
        ['scheduled', 'due'],
        'cancel-pending-follow-up',
        'only a pending follow-up (scheduled or due) can be cancelled',
      );
      break;
    case 'FollowUpAssigned':
      expect(
        ['scheduled', 'due'],
        'assign-pending-follow-up',
        'only a pending follow-up (scheduled or due) can be assigned',
      );
      break;
  }
  return event;
}
