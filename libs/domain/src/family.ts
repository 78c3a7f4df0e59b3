/**
 * The family decider: `decide(command, state)` returns the events a command produces or throws a
 * `DomainError`; `evolve(state, event)` folds an accepted event into the state. A family's stream
 * holds one or more episodes: each starts with `FamilyReferred` and is closed by an exit or a
 * refusal, after which only follow-up, movement, transfer, consent or a new referral may follow.
 */
import { sortedKeysJson } from './canonical';
import { episodeAt } from './episodes';
import { conflict, invalid } from './errors';
import {
  ExitType,
  FamilyEvent,
  FamilyEventData,
  FamilyEventOf,
  FamilyEventType,
  RefusalStage,
  isSealed,
  freeTextOf,
  memberDetailsOf,
} from './events';
import {
  FOLLOW_UP_MISSED_REASONS,
  FollowUpStatus,
  assessedDomains,
  ASSESSED_DOMAINS,
  completesRevisit,
  followUpStatusAfter,
  oneYearOnAssessment,
} from './revisit';

export type EpisodeStatus = 'referred' | 'offered' | 'accepted' | 'refused' | 'exited';
export type { FollowUpStatus };

export interface Episode {
  number: number;
  status: EpisodeStatus;
  referredAt: string;
  /** Date of the latest lifecycle event: the next one may not be earlier. */
  lastLifecycleAt: string;
  offeredAt?: string;
  acceptedAt?: string;
  supportPlanAgreedAt?: string;
  refusedAt?: string;
  refusalStage?: RefusalStage;
  exitedAt?: string;
  exitType?: ExitType;
  followUp: FollowUpStatus;
  /** Worker assigned to the revisit, if any. */
  followUpWorker?: string;
}

export interface FamilyState {
  authority?: string;
  programme?: string;
  keyWorker?: string;
  movedTo?: string;
  episodes: Episode[];
  /** Open CAFs by id, with the date each was opened. */
  openCafs: Record<string, string>;
  knownCafs: string[];
  /** Set by `FamilyErased`: personal details can no longer be recorded. */
  erased?: true;
}

export const initialState = (): FamilyState => ({ episodes: [], openCafs: {}, knownCafs: [] });

export interface RecordFamilyEvent {
  type: 'RecordFamilyEvent';
  event: FamilyEvent;
  /** System time of the decision: nothing may have happened after it. */
  now: Date;
}

/** Completes an exited episode's revisit with its one-year-on assessment. */
export interface CompleteRevisit {
  type: 'CompleteRevisit';
  episode: number;
  occurredAt: string;
  assessment: FamilyEventData['FollowUpCompleted']['assessment'];
  now: Date;
}

/** Records that a revisit could not be done, and why (a reason from the closed list). */
export interface MissRevisit {
  type: 'MissRevisit';
  episode: number;
  occurredAt: string;
  reason: FamilyEventData['FollowUpMissed']['reason'];
  now: Date;
}

/** Gives a pending revisit to a worker. */
export interface AssignRevisit {
  type: 'AssignRevisit';
  episode: number;
  occurredAt: string;
  workerId: string;
  now: Date;
}

export type FamilyCommand = RecordFamilyEvent | CompleteRevisit | MissRevisit | AssignRevisit;
/** A command named for its intent, as a caller sends it (the write path adds `now`). */
export type FamilyIntent =
  Omit<CompleteRevisit, 'now'> | Omit<MissRevisit, 'now'> | Omit<AssignRevisit, 'now'>;

/** The event an intent stands for; the decider then applies every rule of that event. */
export function eventOf(command: FamilyIntent): FamilyEvent {
  const { occurredAt, episode } = command;
  switch (command.type) {
    case 'CompleteRevisit':
      return {
        type: 'FollowUpCompleted',
        data: { occurredAt, episode, assessment: command.assessment },
      };
    case 'MissRevisit':
      return { type: 'FollowUpMissed', data: { occurredAt, episode, reason: command.reason } };
    case 'AssignRevisit':
      return {
        type: 'FollowUpAssigned',
        data: { occurredAt, episode, workerId: command.workerId },
      };
  }
}

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
const FOLLOW_UP = new Set<FamilyEventType>([
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

export const isOpen = (episode: Episode) =>
  episode.status !== 'exited' && episode.status !== 'refused';

export const currentEpisode = (state: FamilyState): Episode | undefined =>
  state.episodes[state.episodes.length - 1];

const time = (iso: string) => Date.parse(iso);
const closedAt = (episode: Episode) => episode.exitedAt ?? episode.refusedAt;

export function decide(command: FamilyCommand, state: FamilyState): FamilyEvent[] {
  const { now } = command;
  const event = command.type === 'RecordFamilyEvent' ? command.event : eventOf(command);
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
  if (FOLLOW_UP.has(event.type)) return [followUp(event, state)];
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

function lifecycle(event: FamilyEvent, episode: Episode): FamilyEvent {
  if (time(event.data.occurredAt) < time(episode.lastLifecycleAt)) {
    conflict(
      'lifecycle-date-order',
      `${event.type} cannot be dated before the episode's previous step (${episode.lastLifecycleAt})`,
    );
  }
  const requireStatus = (allowed: EpisodeStatus[], rule: string, message: string) => {
    if (!allowed.includes(episode.status))
      conflict(rule, `${message} (episode is ${episode.status})`);
  };
  switch (event.type) {
    case 'InterventionOffered':
      requireStatus(
        ['referred'],
        'offer-once-after-referral',
        'an intervention is offered once, after referral',
      );
      break;
    case 'InterventionAccepted':
      requireStatus(
        ['offered'],
        'accept-after-offer',
        'an intervention can only be accepted once offered',
      );
      break;
    case 'InterventionRefused':
      if (event.data.stage === 'offer') {
        requireStatus(
          ['offered'],
          'refusal-stage',
          'refusal at the offer stage needs an open offer',
        );
      } else {
        requireStatus(
          ['accepted'],
          'refusal-stage',
          `refusal at the ${event.data.stage} stage needs an accepted intervention`,
        );
      }
      break;
    case 'SupportPlanAgreed':
      requireStatus(
        ['accepted'],
        'support-plan-after-acceptance',
        'a support plan needs an accepted intervention',
      );
      break;
    case 'ReviewHeld':
      requireStatus(
        ['accepted'],
        'review-during-intervention',
        'reviews are held during an accepted intervention',
      );
      break;
    case 'FamilyExited':
      if (event.data.exitType === 'planned') {
        requireStatus(
          ['accepted'],
          'planned-exit-after-acceptance',
          'a planned exit needs an accepted intervention',
        );
      }
      break;
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

function history(event: FamilyEvent, state: FamilyState, current: Episode): FamilyEvent {
  const at = time(event.data.occurredAt);
  if (oneYearOnAssessment(event, current.number)) {
    // One way to record the revisit: through the revisit itself (see revisit.ts).
    invalid(
      'stage',
      'one-year-on-through-revisit',
      'a one-year-on (follow_up) assessment is recorded by completing the revisit: ' +
        'POST /v1/follow-ups/{followUpId}/complete with the assessment (find the id with ' +
        'GET /v1/follow-ups?status=due)',
    );
  }
  // A fact belongs to the episode it happened in: after an exit, only back-entered history
  // (dated on or before the end of the episode) is accepted.
  if (!isOpen(current) && at > time(closedAt(current)!)) {
    conflict(
      'episode-closed',
      `episode ${current.number} closed on ${closedAt(current)}: only follow-up, movement, consent or a new referral may follow`,
    );
  }
  const { beforeReferral: _ignored, ...data } =
    event.data as FamilyEventData['AsbIncidentRecorded'];
  const episode = episodeAt(state.episodes, at);
  const before = at < time(episode.referredAt);
  return {
    type: event.type,
    data: before ? { ...data, beforeReferral: true } : data,
  } as FamilyEvent;
}

function followUp(event: FamilyEvent, state: FamilyState): FamilyEvent {
  const data = event.data as FamilyEventData['FollowUpDue'];
  const episode = state.episodes.find((e) => e.number === data.episode);
  if (!episode) invalid('episode', 'episode-exists', `the family has no episode ${data.episode}`);
  if (episode!.status !== 'exited') {
    conflict(
      'follow-up-after-exit',
      `follow-up events need episode ${data.episode} to have exited`,
    );
  }
  if (time(event.data.occurredAt) < time(episode!.exitedAt!)) {
    conflict('lifecycle-date-order', `${event.type} cannot be dated before the exit`);
  }
  const status = episode!.followUp;
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

/**
 * Personal details travel sealed only (the write path seals them with the family's key), and none
 * may be recorded once the family's personal data was erased: its key no longer exists.
 */
function personalData(event: FamilyEvent, state: FamilyState): void {
  const details = memberDetailsOf(event);
  const members = event.type === 'FamilyReferred' ? (event.data.members ?? []) : [];
  const MEMBER_FIELDS = ['memberId', 'role', 'details'];
  if (members.some((m) => Object.keys(m).some((k) => !MEMBER_FIELDS.includes(k)))) {
    invalid('members', 'details-sealed', 'a member carries only memberId, role and sealed details');
  }
  if (details.some((d) => !isSealed(d))) {
    invalid(
      'details',
      'details-sealed',
      'personal details must be sealed before they are recorded',
    );
  }
  if (state.erased && event.type === 'FamilyErased') {
    conflict('erase-once', "the family's personal data is already erased");
  }
  if (state.erased && details.length) {
    conflict('family-erased', "the family's personal data was erased: no details can be recorded");
  }
  // Free text may name a person: sealed like details, and none once the family's key is gone.
  const text = freeTextOf(event);
  if (text !== undefined && !isSealed(text)) {
    invalid('reason', 'text-sealed', 'free text must be sealed before it is recorded');
  }
  if (state.erased && text !== undefined) {
    conflict(
      'family-erased',
      "the family's personal data was erased: record this without a reason",
    );
  }
}

/** Cross-field rules that a per-field schema cannot express. */
function checkPayload(event: FamilyEvent): void {
  switch (event.type) {
    case 'SchoolAttendanceRecorded': {
      const d = event.data;
      if (time(d.periodEnd) < time(d.periodStart)) {
        invalid('periodEnd', 'not-before-period-start', 'periodEnd must not be before periodStart');
      }
      if (d.attendedSessions > d.possibleSessions) {
        invalid(
          'attendedSessions',
          'at-most-possible',
          'attendedSessions must not exceed possibleSessions',
        );
      }
      if (d.unauthorisedSessions > d.possibleSessions - d.attendedSessions) {
        invalid(
          'unauthorisedSessions',
          'at-most-missed',
          'unauthorisedSessions must not exceed the sessions missed (possible - attended)',
        );
      }
      break;
    }
    case 'FollowUpCompleted':
      if (!event.data.assessment || !assessedDomains(event.data.assessment).length) {
        invalid(
          'assessment',
          'at-least-one-domain',
          `a revisit is completed with its one-year-on assessment: assess at least one of ${ASSESSED_DOMAINS.join(', ')}`,
        );
      }
      break;
    case 'FollowUpMissed':
      if (!FOLLOW_UP_MISSED_REASONS.includes(event.data.reason)) {
        invalid(
          'reason',
          'missed-reason',
          `reason must be one of: ${FOLLOW_UP_MISSED_REASONS.join(', ')}`,
        );
      }
      break;
    case 'FollowUpScheduled': {
      const d = event.data;
      if (time(d.dueAt) < time(d.occurredAt)) {
        invalid('dueAt', 'not-before-occurred-at', 'dueAt must not be before occurredAt');
      }
      if (!(time(d.windowOpensAt) <= time(d.dueAt) && time(d.dueAt) <= time(d.windowClosesAt))) {
        invalid('windowOpensAt', 'window-around-due', 'the on-time window must contain dueAt');
      }
      if (time(d.overdueAt) < time(d.dueAt)) {
        invalid('overdueAt', 'not-before-due-at', 'overdueAt must not be before dueAt');
      }
      break;
    }
  }
}

export function evolve(state: FamilyState, event: FamilyEvent): FamilyState {
  const episodes = state.episodes;
  const last = episodes[episodes.length - 1];
  const revisit = revisitCompletion(state, event);
  if (revisit) {
    return {
      ...state,
      episodes: episodes.map((e) =>
        e.number === revisit.episode ? { ...e, followUp: 'completed' } : e,
      ),
    };
  }
  const updateLast = (change: Partial<Episode>): FamilyState => ({
    ...state,
    episodes: [...episodes.slice(0, -1), { ...last, ...change }],
  });
  const at = event.data.occurredAt;
  switch (event.type) {
    case 'FamilyReferred':
      return {
        ...state,
        authority: state.authority ?? event.data.authority,
        programme: event.data.programme,
        episodes: [
          ...episodes,
          {
            number: episodes.length + 1,
            status: 'referred',
            referredAt: at,
            lastLifecycleAt: at,
            followUp: 'none',
          },
        ],
      };
    case 'InterventionOffered':
      return updateLast({ status: 'offered', offeredAt: at, lastLifecycleAt: at });
    case 'InterventionAccepted':
      return updateLast({ status: 'accepted', acceptedAt: at, lastLifecycleAt: at });
    case 'InterventionRefused':
      return updateLast({
        status: 'refused',
        refusedAt: at,
        refusalStage: event.data.stage,
        lastLifecycleAt: at,
      });
    case 'SupportPlanAgreed':
      return updateLast({
        supportPlanAgreedAt: last.supportPlanAgreedAt ?? at,
        lastLifecycleAt: at,
      });
    case 'ReviewHeld':
      return updateLast({ lastLifecycleAt: at });
    case 'FamilyExited':
      return updateLast({
        status: 'exited',
        exitedAt: at,
        exitType: event.data.exitType,
        lastLifecycleAt: at,
      });
    case 'KeyWorkerAssigned':
    case 'LeadWorkerChanged':
      // The family's key worker: whoever was assigned or took over last.
      return { ...state, keyWorker: event.data.workerId };
    case 'CafOpened':
      return {
        ...state,
        openCafs: { ...state.openCafs, [event.data.cafId]: at },
        knownCafs: state.knownCafs.includes(event.data.cafId)
          ? state.knownCafs
          : [...state.knownCafs, event.data.cafId],
      };
    case 'CafClosed': {
      const { [event.data.cafId]: _closed, ...openCafs } = state.openCafs;
      return { ...state, openCafs };
    }
    case 'FamilyMovedArea':
      return { ...state, movedTo: event.data.toAuthority };
    case 'FamilyTransferred':
      return { ...state, authority: event.data.toAuthority };
    case 'FamilyErased':
      return { ...state, erased: true };
    case 'FollowUpScheduled':
    case 'FollowUpDue':
    case 'FollowUpMissed':
    case 'FollowUpCancelled': {
      const number = event.data.episode;
      return {
        ...state,
        episodes: episodes.map((e) =>
          e.number === number ? { ...e, followUp: followUpStatusAfter(e.followUp, event.type) } : e,
        ),
      };
    }
    case 'FollowUpAssigned': {
      const { episode: number, workerId } = event.data;
      return {
        ...state,
        episodes: episodes.map((e) =>
          e.number === number ? { ...e, followUpWorker: workerId } : e,
        ),
      };
    }
    default:
      return state;
  }
}

/**
 * The one-year-on assessment an event records when it completes a revisit of `state` (the family
 * before the event): one not yet resolved. Otherwise undefined.
 */
export function revisitCompletion(state: FamilyState, event: FamilyEvent) {
  const found = oneYearOnAssessment(event, currentEpisode(state)?.number);
  const episode = found && state.episodes.find((e) => e.number === found.episode);
  return episode && completesRevisit(episode.followUp) ? found : undefined;
}

export const fold = (events: FamilyEvent[], state: FamilyState = initialState()): FamilyState =>
  events.reduce(evolve, state);

/**
 * Whether a stored event records the same thing as a new request (idempotent retries by id):
 * same type and payload, ignoring what the decider added itself.
 */
export function isSameRecord(stored: FamilyEvent, requested: FamilyEvent): boolean {
  const strip = (e: FamilyEvent) => {
    const { beforeReferral: _derived, ...data } = e.data as { beforeReferral?: true };
    return sortedKeysJson({ type: e.type, data });
  };
  return strip(stored) === strip(requested);
}
