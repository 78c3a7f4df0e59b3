/* The synthetic workload's proportions: NatCen-like prevalences, support types and fates. */
import { DomainAssessment } from '@app/domain';

export const DAY = 86_400_000;

/** NatCen's start and exit prevalences (percent) for the flag domains. */
export const FLAGS: [keyof DomainAssessment, number, number][] = [
  ['educationProblems', 76, 47],
  ['truancyExclusionBehaviour', 56, 25],
  ['childProtectionConcern', 38, 27],
  ['domesticViolence', 22, 9],
  ['drugAlcoholProblem', 32, 17],
];
export const ASB_TYPES = ['noise', 'rowdy_behaviour', 'vandalism', 'threats', 'graffiti', 'litter'];
export const SUPPORT_TYPES: [string, number][] = [
  ['challenging_asb', 0.69],
  ['one_to_one_parenting', 0.65],
  ['budgeting', 0.45],
  ['school_liaison', 0.5],
  ['substance_misuse', 0.25],
  ['domestic_violence_support', 0.2],
];

/** Where each family's story ends, with NatCen-like weights (percent of referrals). */
export const FATES: [Fate, number][] = [
  ['awaiting_offer', 1],
  ['awaiting_decision', 1],
  ['refused_offer', 3],
  ['refused_support_plan', 6],
  ['refused_intervention', 7],
  ['ongoing', 44],
  ['planned', 30],
  ['disengaged', 4],
  ['moved_area', 2],
  ['custody', 1],
  ['other', 1],
];
export type Fate =
  | 'awaiting_offer'
  | 'awaiting_decision'
  | 'refused_offer'
  | 'refused_support_plan'
  | 'refused_intervention'
  | 'ongoing'
  | 'planned'
  | 'disengaged'
  | 'moved_area'
  | 'custody'
  | 'other';
