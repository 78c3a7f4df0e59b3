/**
 * What the outcome measures need from a family's stream, folded event by event (so a projection
 * can keep it per family and an "as at" query can rebuild it from the events recorded by then),
 * and the per-episode facts derived from it: cohort dates, the state of every outcome domain at
 * baseline, exit, latest and follow-up, and the input measures.
 */
import {
  DomainAssessment,
  FamilyEvent,
  FamilyState,
  episodeAt,
  evolve,
  initialState,
  revisitCompletion,
} from '@app/domain';

export type AssessmentSource = 'referral' | 'support_plan' | 'review' | 'exit' | 'follow_up';

export interface AssessmentFact {
  stage: AssessmentSource;
  at: string;
  /** Stream revision: orders facts recorded for the same moment. */
  seq: number;
  a: DomainAssessment;
}

/** A history fact counted or summed by event-derived domains. */
export interface HistoryFact {
  type: string;
  at: string;
  possible?: number;
  attended?: number;
}

export interface EpisodeFacts {
  assessments: AssessmentFact[];
  reviews: { at: string; hours: number }[];
  support: { at: string; type: string; hours?: number }[];
  movedArea: boolean;
}

export interface OutcomeHistory {
  family: FamilyState;
  /** Index = episode number - 1. */
  episodes: EpisodeFacts[];
  history: HistoryFact[];
}

export const emptyHistory = (): OutcomeHistory => ({
  family: initialState(),
  episodes: [],
  history: [],
});

export const ms = (iso: string) => Date.parse(iso);

/**
 * Folds one accepted event (as stored: the decider has run) into the history. Pure: returns a new
 * value for the parts it changes.
 */
export function foldOutcomeEvent(
  h: OutcomeHistory,
  event: FamilyEvent,
  revision: number,
): OutcomeHistory {
  const family = evolve(h.family, event);
  let episodes = h.episodes;
  while (episodes.length < family.episodes.length) {
    episodes = [...episodes, { assessments: [], reviews: [], support: [], movedArea: false }];
  }
  const current = family.episodes.length;
  const change = (number: number, f: (e: EpisodeFacts) => EpisodeFacts) => {
    if (number < 1 || number > episodes.length) return;
    episodes = episodes.map((e, i) => (i === number - 1 ? f(e) : e));
  };
  let history = h.history;
  const at = event.data.occurredAt;
  // The one-year-on assessment is the one that completed the revisit (the domain's rule).
  const revisit = revisitCompletion(h.family, event);
  if (revisit) {
    change(revisit.episode, (e) => ({
      ...e,
      assessments: [
        ...e.assessments,
        { stage: 'follow_up', at: revisit.at, seq: revision, a: revisit.assessment },
      ],
    }));
    return { family, episodes, history };
  }
  switch (event.type) {
    case 'DomainAssessmentRecorded': {
      const { stage, occurredAt: _o, beforeReferral: _b, ...a } = event.data;
      // A bare one-year-on assessment that completed nothing is no assessment of any point.
      if (stage === 'follow_up') break;
      change(episodeAt(family.episodes, ms(at)).number, (e) => ({
        ...e,
        assessments: [...e.assessments, { stage, at, seq: revision, a }],
      }));
      break;
    }
    case 'ReviewHeld':
      change(current, (e) => ({
        ...e,
        reviews: [...e.reviews, { at, hours: event.data.weeklyContactHours }],
      }));
      break;
    case 'SupportDelivered':
      change(current, (e) => ({
        ...e,
        support: [
          ...e.support,
          {
            at,
            type: event.data.supportType,
            ...(event.data.hours !== undefined ? { hours: event.data.hours } : {}),
          },
        ],
      }));
      break;
    case 'FamilyMovedArea':
      change(current, (e) => ({ ...e, movedArea: true }));
      break;
    case 'SchoolAttendanceRecorded':
      history = [
        ...history,
        {
          type: event.type,
          at,
          possible: event.data.possibleSessions,
          attended: event.data.attendedSessions,
        },
      ];
      break;
    case 'AsbIncidentRecorded':
    case 'HousingEnforcementAction':
    case 'OffenceRecorded':
    case 'SchoolExclusionRecorded':
      history = [...history, { type: event.type, at }];
      break;
  }
  return { family, episodes, history };
}

export const foldOutcomeHistory = (
  events: { event: FamilyEvent; revision: number }[],
  from: OutcomeHistory = emptyHistory(),
): OutcomeHistory => events.reduce((h, e) => foldOutcomeEvent(h, e.event, e.revision), from);
