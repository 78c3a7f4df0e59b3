import { RecordableType } from '@app/recording';

/**
 * One valid `POST /v1/families/{familyId}/events` body per event type, shown in the API docs.
 * `satisfies Record<RecordableType, …>` makes a new event type fail to compile until it has one;
 * the docs test sends every example through the real validation, so none can rot.
 */
export const EVENT_EXAMPLES = {
  FamilyReferred: {
    authority: 'leeds',
    programme: 'fip',
    source: 'police',
    reasons: ['asb', 'truancy'],
    eligibilityCriteria: ['asb_4_plus'],
    members: [
      { memberId: 'm1', role: 'parent' },
      { memberId: 'm2', role: 'child' },
    ],
  },
  InterventionOffered: {},
  InterventionAccepted: {},
  InterventionRefused: { stage: 'support_plan', reason: 'family declined the plan' },
  SupportPlanAgreed: { domains: ['asb', 'education'], plannedWeeklyHours: 9 },
  KeyWorkerAssigned: { workerId: 'kw-104' },
  LeadWorkerChanged: { workerId: 'kw-221', reason: 'school transition' },
  ReviewHeld: { weeklyContactHours: 6.5 },
  CafOpened: {
    cafId: 'caf-2025-0031',
    childId: 'm2',
    leadWorker: 'kw-104',
    presentingNeeds: ['attendance'],
  },
  CafReviewed: { cafId: 'caf-2025-0031', goalsMet: false },
  CafClosed: { cafId: 'caf-2025-0031', needsMet: true },
  TeamAroundFamilyFormed: { cafIds: ['caf-2025-0031', 'caf-2025-0032'] },
  AsbIncidentRecorded: { asbType: 'noise', sourceAgency: 'police' },
  HousingEnforcementAction: { action: 'nosp' },
  OffenceRecorded: { offenceType: 'criminal_damage', memberId: 'm2' },
  SchoolAttendanceRecorded: {
    childId: 'm2',
    periodStart: '2025-01-06',
    periodEnd: '2025-03-28',
    possibleSessions: 120,
    attendedSessions: 97,
    unauthorisedSessions: 15,
  },
  SchoolExclusionRecorded: { childId: 'm2', exclusionType: 'fixed_term', days: 3 },
  DomainAssessmentRecorded: {
    stage: 'support_plan',
    asbTypes: ['noise', 'vandalism'],
    housingEnforcementActions: 1,
    educationProblems: true,
    truancyExclusionBehaviour: true,
    childProtectionConcern: false,
    domesticViolence: false,
    drugAlcoholProblem: false,
    evidenceSources: ['police', 'school'],
  },
  SupportDelivered: { supportType: 'one_to_one_parenting', hours: 2 },
  FamilyExited: { exitType: 'planned' },
  FamilyMovedArea: { toAuthority: 'bradford' },
  ConsentRecorded: { purpose: 'evaluation' },
  ConsentWithdrawn: { purpose: 'evaluation' },
  // Clear details here; the API seals them with the family's key before anything is stored.
  MemberDetailsRecorded: {
    memberId: 'c1',
    role: 'child',
    name: 'A. Child',
    dateOfBirth: '2012-05-01',
  },
} satisfies Record<RecordableType, Record<string, unknown>>;

export const EXAMPLE_DATE = '2025-03-31';
