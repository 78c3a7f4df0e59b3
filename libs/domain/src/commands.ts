/**
 * What the family decider is asked. `RecordFamilyEvent` states an event (a worker records what
 * happened; the decider checks it). The others are named for their intent: the decider builds the
 * event from the command and the family's state (`eventOf`), then applies every rule of that event.
 */
import { conflict, invalid } from './errors';
import { FamilyEvent, FamilyEventData, FamilyEventType, FollowUpCancelledReason } from './events';
import { FollowUpPolicy, qualifiesForFollowUp, scheduleFor } from './follow-up-policy';
import { Episode, FamilyState } from './state';

export interface RecordFamilyEvent {
  type: 'RecordFamilyEvent';
  event: FamilyEvent;
  /** System time of the decision: nothing may have happened after it. */
  now: Date;
}

/** Schedules an exited episode's revisit by `policy`: dated from the exit, due as it says. */
export interface ScheduleRevisit {
  type: 'ScheduleRevisit';
  episode: number;
  policy: FollowUpPolicy;
  now: Date;
}

/** The scheduled revisit has fallen due (recorded on its due date). */
export interface MarkRevisitDue {
  type: 'MarkRevisitDue';
  episode: number;
  now: Date;
}

/** Cancels a pending revisit (a re-referral, or another reason). */
export interface CancelRevisit {
  type: 'CancelRevisit';
  episode: number;
  occurredAt: string;
  reason: FollowUpCancelledReason;
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

/** Hands the family from its authority (`fromAuthority`, the caller's) to another. */
export interface TransferFamily {
  type: 'TransferFamily';
  occurredAt: string;
  fromAuthority: string;
  toAuthority: string;
  /** Free text: sealed by the write path before the decision, like an event's. */
  reason?: string;
  now: Date;
}

/** Erases the family's personal data (its key is destroyed after the event is recorded). */
export interface EraseFamily {
  type: 'EraseFamily';
  occurredAt: string;
  now: Date;
}

type IntentCommand =
  | ScheduleRevisit
  | MarkRevisitDue
  | CancelRevisit
  | CompleteRevisit
  | MissRevisit
  | AssignRevisit
  | TransferFamily
  | EraseFamily;

export type FamilyCommand = RecordFamilyEvent | IntentCommand;

type WithoutNow<T> = T extends unknown ? Omit<T, 'now'> : never;
/** A command named for its intent, as a caller sends it (the write path adds `now`). */
export type FamilyIntent = WithoutNow<IntentCommand>;

const INTENT_EVENT: Record<FamilyIntent['type'], FamilyEventType> = {
  ScheduleRevisit: 'FollowUpScheduled',
  MarkRevisitDue: 'FollowUpDue',
  CancelRevisit: 'FollowUpCancelled',
  CompleteRevisit: 'FollowUpCompleted',
  MissRevisit: 'FollowUpMissed',
  AssignRevisit: 'FollowUpAssigned',
  TransferFamily: 'FamilyTransferred',
  EraseFamily: 'FamilyErased',
};

/** The type of the event an intent records (for metrics, before the decision). */
export const intentEventType = (intent: FamilyIntent): FamilyEventType => INTENT_EVENT[intent.type];

/** The exited episode a revisit belongs to; refuses an unknown or still open one. */
export function exitedEpisode(state: FamilyState, number: number): Episode {
  const episode = state.episodes.find((e) => e.number === number);
  if (!episode) return invalid('episode', 'episode-exists', `the family has no episode ${number}`);
  if (episode.status !== 'exited') {
    conflict('follow-up-after-exit', `follow-up events need episode ${number} to have exited`);
  }
  return episode;
}

/** The event an intent stands for in `state`; the decider then applies every rule of that event. */
export function eventOf(command: FamilyIntent, state: FamilyState): FamilyEvent {
  switch (command.type) {
    case 'ScheduleRevisit': {
      const { episode, policy } = command;
      const exited = exitedEpisode(state, episode);
      if (!qualifiesForFollowUp(policy, exited.exitType!)) {
        conflict(
          'revisit-under-policy',
          `a ${exited.exitType} exit gets no revisit under follow-up policy ${policy.version}`,
        );
      }
      const occurredAt = new Date(exited.exitedAt!).toISOString();
      return {
        type: 'FollowUpScheduled',
        data: { occurredAt, episode, ...scheduleFor(policy, occurredAt) },
      };
    }
    case 'MarkRevisitDue': {
      const { episode } = command;
      const dueAt = exitedEpisode(state, episode).followUpDueAt;
      if (!dueAt) {
        conflict('due-after-scheduled', 'a follow-up falls due once, after it was scheduled');
      }
      return { type: 'FollowUpDue', data: { occurredAt: dueAt!, episode } };
    }
    default: {
      // The others carry the event's data as they stand (checked below, at compile time).
      const { type, now: _now, ...data } = command as FamilyIntent & { now?: Date };
      return { type: INTENT_EVENT[type], data } as FamilyEvent;
    }
  }
}

/** An intent whose fields (bar `type` and `now`) are exactly its event's data. */
type Carries<I, T extends FamilyEventType> = [Omit<I, 'type' | 'now'>] extends [FamilyEventData[T]]
  ? [FamilyEventData[T]] extends [Omit<I, 'type' | 'now'>]
    ? true
    : never
  : never;
const _intentsCarryTheirData: [
  Carries<CancelRevisit, 'FollowUpCancelled'>,
  Carries<CompleteRevisit, 'FollowUpCompleted'>,
  Carries<MissRevisit, 'FollowUpMissed'>,
  Carries<AssignRevisit, 'FollowUpAssigned'>,
  Carries<TransferFamily, 'FamilyTransferred'>,
  Carries<EraseFamily, 'FamilyErased'>,
] = [true, true, true, true, true, true];
