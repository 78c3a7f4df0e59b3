/**
 * The family timeline: every fact about a family is one of these events on its stream
 * (`family-<familyId>`). Types are stable strings; each payload has a schema version so that
 * later changes can be upcast. `occurredAt` (the effective date, ISO 8601) is part of every
 * payload; `recordedAt`, actor, authority and ids travel in the store's metadata.
 */

export type IsoDateTime = string;

export interface Occurred {
  occurredAt: IsoDateTime;
}

/** Set by the decider on incidents, attendance and assessments that predate the referral. */
export interface MaybeBaselineHistory {
  beforeReferral?: true;
}

export type MemberRole = 'parent' | 'carer' | 'child' | 'other';

/** A member's personal details in clear: only ever in memory, on the way in or out. */
export interface PersonalDetails {
  name?: string;
  /** ISO date (YYYY-MM-DD). */
  dateOfBirth?: string;
  address?: string;
}

/**
 * A member's personal details (name, date of birth, address), sealed with the family's own data
 * key (AES-256-GCM, base64 fields) before the event is appended: an event never holds them in
 * clear. Destroying the family's key (erasure) makes every seal of that family unreadable.
 */
export interface SealedDetails {
  alg: 'A256GCM';
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

export const isSealed = (value: unknown): value is SealedDetails => {
  const v = value as Partial<SealedDetails> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.alg === 'A256GCM' &&
    [v.keyId, v.iv, v.tag, v.ciphertext].every((f) => typeof f === 'string') &&
    Object.keys(v).length === 5
  );
};

export interface FamilyMember {
  memberId: string;
  role: MemberRole;
  details?: SealedDetails;
}

export interface FamilyReferred extends Occurred {
  authority: string;
  programme: string;
  source: string;
  reasons: string[];
  eligibilityCriteria?: string[];
  members?: FamilyMember[];
}

export type RefusalStage = 'offer' | 'support_plan' | 'intervention';
/** Every way an intervention ends: the one list (validation, counts and documents read it). */
export const EXIT_TYPES = ['planned', 'disengaged', 'moved_area', 'custody', 'other'] as const;
export type ExitType = (typeof EXIT_TYPES)[number];
export type HousingAction =
  'nosp' | 'eviction_notice' | 'eviction' | 'asbo' | 'injunction' | 'other';
export type AssessmentStage = 'referral' | 'support_plan' | 'review' | 'exit' | 'follow_up';
export type FollowUpMissedReason = 'uncontactable' | 'declined' | 'moved_area' | 'other';
/** Why a pending revisit no longer applies (re-referral: the family is back in intervention). */
export type FollowUpCancelledReason = 're_referred' | 'other';

/** Any domain field may be absent (= not assessed), which is not the same as `false`. */
export interface DomainAssessment {
  asbTypes?: string[];
  housingEnforcementActions?: number;
  educationProblems?: boolean;
  truancyExclusionBehaviour?: boolean;
  childProtectionConcern?: boolean;
  domesticViolence?: boolean;
  drugAlcoholProblem?: boolean;
  evidenceSources?: string[];
}

export interface FamilyEventData {
  FamilyReferred: FamilyReferred;
  InterventionOffered: Occurred;
  InterventionAccepted: Occurred;
  InterventionRefused: Occurred & { stage: RefusalStage; reason?: string };
  SupportPlanAgreed: Occurred & { domains: string[]; plannedWeeklyHours: number };
  KeyWorkerAssigned: Occurred & { workerId: string };
  LeadWorkerChanged: Occurred & { workerId: string; reason?: string };
  ReviewHeld: Occurred & { weeklyContactHours: number };
  CafOpened: Occurred & {
    cafId: string;
    childId: string;
    leadWorker?: string;
    presentingNeeds?: string[];
  };
  CafReviewed: Occurred & { cafId: string; goalsMet?: boolean };
  CafClosed: Occurred & { cafId: string; needsMet: boolean };
  TeamAroundFamilyFormed: Occurred & { cafIds: string[] };
  AsbIncidentRecorded: Occurred & MaybeBaselineHistory & { asbType: string; sourceAgency: string };
  HousingEnforcementAction: Occurred & MaybeBaselineHistory & { action: HousingAction };
  OffenceRecorded: Occurred & MaybeBaselineHistory & { memberId?: string; offenceType: string };
  SchoolAttendanceRecorded: Occurred &
    MaybeBaselineHistory & {
      childId: string;
      periodStart: IsoDateTime;
      periodEnd: IsoDateTime;
      possibleSessions: number;
      attendedSessions: number;
      unauthorisedSessions: number;
    };
  SchoolExclusionRecorded: Occurred &
    MaybeBaselineHistory & {
      childId: string;
      exclusionType: 'fixed_term' | 'permanent';
      days?: number;
    };
  DomainAssessmentRecorded: Occurred &
    MaybeBaselineHistory &
    DomainAssessment & { stage: AssessmentStage };
  SupportDelivered: Occurred & { supportType: string; hours?: number };
  FamilyExited: Occurred & { exitType: ExitType; reason?: string };
  /**
   * The revisit of an exited episode, as the follow-up policy set it when scheduling: the due date,
   * the window in which it counts as on time, and when it becomes overdue. Recorded as facts so
   * that read models never depend on the policy in force when they are rebuilt.
   */
  FollowUpScheduled: Occurred & {
    episode: number;
    dueAt: IsoDateTime;
    windowOpensAt: IsoDateTime;
    windowClosesAt: IsoDateTime;
    overdueAt: IsoDateTime;
    policyVersion: number;
  };
  FollowUpDue: Occurred & { episode: number };
  FollowUpCompleted: Occurred & { episode: number; assessment: DomainAssessment };
  FollowUpMissed: Occurred & { episode: number; reason: FollowUpMissedReason };
  FollowUpCancelled: Occurred & { episode: number; reason: FollowUpCancelledReason };
  FollowUpAssigned: Occurred & { episode: number; workerId: string };
  FamilyMovedArea: Occurred & { toAuthority: string };
  /**
   * The family's record passes to another authority (DOMAIN.md §5: families move). From then on
   * the new authority owns it (reads, writes, follow-ups, outcomes) and the old one loses access.
   */
  FamilyTransferred: Occurred & { fromAuthority: string; toAuthority: string; reason?: string };
  /**
   * Consent given (again) or withdrawn for one purpose, a code of `CONSENT_PURPOSES` (schema 2;
   * schema 1 stored free text: read it through `consentPurposesOf`).
   */
  ConsentRecorded: Occurred & { purpose: ConsentPurpose };
  ConsentWithdrawn: Occurred & { purpose: ConsentPurpose };
  /** Adds a member or replaces a member's personal details (sealed). */
  MemberDetailsRecorded: Occurred & { memberId: string; role: MemberRole; details: SealedDetails };
  /**
   * The family's personal data was erased: its data key is destroyed, so every sealed detail on
   * the stream is unreadable for good. Carries no personal data; the family's facts stay.
   */
  FamilyErased: Occurred;
}

export type FamilyEventType = keyof FamilyEventData;

/**
 * What a family consents to: `evaluation` (its records counted in evaluator outputs: outcomes,
 * cost avoidance, returns, extracts) and `data_sharing` (its records shared outside the authority).
 */
export const CONSENT_PURPOSES = ['evaluation', 'data_sharing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** A listed purpose matched case-insensitively (spaces and hyphens as `_`), or undefined. */
export function consentPurposeCode(text: string): ConsentPurpose | undefined {
  const code = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (CONSENT_PURPOSES as readonly string[]).includes(code)
    ? (code as ConsentPurpose)
    : undefined;
}

/**
 * The purposes a stored consent event is about: the upcast on read of schema 1, whose `purpose`
 * was free text. A listed code (any case) is itself. Otherwise a withdrawal counts for every
 * purpose (a family's "no" that cannot be read is honoured at its widest: withdrawing too much
 * only leaves a family out of figures; too little would use its records against its wish), and a
 * consent for none (an unreadable "yes" restores nothing).
 */
export function consentPurposesOf(event: {
  type: 'ConsentRecorded' | 'ConsentWithdrawn';
  data: { purpose: string };
}): ConsentPurpose[] {
  const code = consentPurposeCode(String(event.data.purpose ?? ''));
  if (code) return [code];
  return event.type === 'ConsentWithdrawn' ? [...CONSENT_PURPOSES] : [];
}

export type FamilyEvent = {
  [T in FamilyEventType]: { type: T; data: FamilyEventData[T] };
}[FamilyEventType];

export type FamilyEventOf<T extends FamilyEventType> = Extract<FamilyEvent, { type: T }>;

/** Current schema version of each payload; bump (and add an upcaster) when a payload changes. */
export const SCHEMA_VERSIONS: Readonly<Record<FamilyEventType, number>> = {
  FamilyReferred: 1,
  InterventionOffered: 1,
  InterventionAccepted: 1,
  InterventionRefused: 1,
  SupportPlanAgreed: 1,
  KeyWorkerAssigned: 1,
  LeadWorkerChanged: 1,
  ReviewHeld: 1,
  CafOpened: 1,
  CafReviewed: 1,
  CafClosed: 1,
  TeamAroundFamilyFormed: 1,
  AsbIncidentRecorded: 1,
  HousingEnforcementAction: 1,
  OffenceRecorded: 1,
  SchoolAttendanceRecorded: 1,
  SchoolExclusionRecorded: 1,
  DomainAssessmentRecorded: 1,
  SupportDelivered: 1,
  FamilyExited: 1,
  FollowUpScheduled: 1,
  FollowUpDue: 1,
  FollowUpCompleted: 1,
  FollowUpMissed: 1,
  FollowUpCancelled: 1,
  FollowUpAssigned: 1,
  FamilyMovedArea: 1,
  FamilyTransferred: 1,
  ConsentRecorded: 2,
  ConsentWithdrawn: 2,
  MemberDetailsRecorded: 1,
  FamilyErased: 1,
};

export const FAMILY_EVENT_TYPES = Object.keys(SCHEMA_VERSIONS) as FamilyEventType[];

export function isFamilyEventType(type: string): type is FamilyEventType {
  return Object.prototype.hasOwnProperty.call(SCHEMA_VERSIONS, type);
}

/** Every member's `details` an event carries (referral members, member details). */
export function memberDetailsOf(event: { type: string; data: unknown }): unknown[] {
  const data = event.data as { members?: { details?: unknown }[]; details?: unknown };
  if (event.type === 'FamilyReferred') {
    return (data.members ?? []).flatMap((m) => (m.details === undefined ? [] : [m.details]));
  }
  if (event.type === 'MemberDetailsRecorded') return [data.details];
  return [];
}

/**
 * Events carrying free text (`reason`). Whatever a worker types may name a person, so free text is
 * personal data: sealed with the family's key like members' details, unreadable after erasure.
 */
export const FREE_TEXT_EVENTS: readonly FamilyEventType[] = [
  'InterventionRefused',
  'LeadWorkerChanged',
  'FamilyExited',
  'FamilyTransferred',
];

/** The free text of an event (its `reason`, clear or sealed), if it has any. */
export function freeTextOf(event: { type: string; data: unknown }): unknown {
  if (!(FREE_TEXT_EVENTS as readonly string[]).includes(event.type)) return undefined;
  return (event.data as { reason?: unknown }).reason;
}

export const familyStreamId = (familyId: string) => `family-${familyId}`;

/**
 * A short reference to a family for people (a phone call, a diary): `F-` and the first eight hex
 * digits of its id, upper case (`F-1A2B-3C4D`). It names the family among a caseload; the id
 * stays the key (two families may, rarely, share a reference).
 */
export const familyReference = (familyId: string) => {
  const hex = familyId.replace(/-/g, '').slice(0, 8).toUpperCase();
  return `F-${hex.slice(0, 4)}-${hex.slice(4)}`;
};
export const FAMILY_STREAM_PREFIX = 'family-';
