/**
 * The family's state as the decider sees it, and `evolve`, the one fold of a family's events into
 * it: episodes (each from `FamilyReferred` to its exit or refusal), the revisit of each exited
 * episode, the key worker, CAFs, authority and erasure.
 */
import { ConsentPurpose, ExitType, FamilyEvent, RefusalStage, consentPurposesOf } from './events';
import {
  FollowUpStatus,
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
  /** When the scheduled revisit is due (`FollowUpScheduled`). */
  followUpDueAt?: string;
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
  /**
   * Purposes whose consent stands withdrawn, each with the `occurredAt` of the withdrawal; a later
   * `ConsentRecorded` for the purpose gives it again (absent in states folded before schema 2).
   */
  consentWithdrawn?: Partial<Record<ConsentPurpose, string>>;
}

export const initialState = (): FamilyState => ({ episodes: [], openCafs: {}, knownCafs: [] });

export const isOpen = (episode: Episode) =>
  episode.status !== 'exited' && episode.status !== 'refused';

export const currentEpisode = (state: FamilyState): Episode | undefined =>
  state.episodes[state.episodes.length - 1];

export const time = (iso: string) => Date.parse(iso);
export const closedAt = (episode: Episode) => episode.exitedAt ?? episode.refusedAt;

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
    case 'ConsentWithdrawn':
    case 'ConsentRecorded': {
      const withdrawn = { ...state.consentWithdrawn };
      for (const purpose of consentPurposesOf(event)) {
        if (event.type === 'ConsentRecorded') delete withdrawn[purpose];
        else withdrawn[purpose] ??= at;
      }
      return { ...state, consentWithdrawn: withdrawn };
    }
    case 'FollowUpScheduled': {
      const { episode: number, dueAt } = event.data;
      return {
        ...state,
        episodes: episodes.map((e) =>
          e.number === number
            ? { ...e, followUp: followUpStatusAfter(e.followUp, event.type), followUpDueAt: dueAt }
            : e,
        ),
      };
    }
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
