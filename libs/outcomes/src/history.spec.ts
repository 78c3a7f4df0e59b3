import { FamilyEvent } from '@app/domain';
import { loadDefinitions } from './definitions';
import { deriveEpisodes, evaluateAssessment } from './episode-outcomes';
import { foldOutcomeHistory } from './history';
import { decided } from './testing';

const at = (d: string) => `${d}T00:00:00.000Z`;
const defs = loadDefinitions();
const bit = (id: string) => 1n << BigInt(defs.domains.findIndex((d) => d.id === id));
const has = (mask: bigint, id: string) => (mask & bit(id)) !== 0n;

const referred: FamilyEvent = {
  type: 'FamilyReferred',
  data: {
    occurredAt: at('2025-01-10'),
    authority: 'derbyshire',
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  },
};
const attendance = (day: string, possible: number, attended: number): FamilyEvent => ({
  type: 'SchoolAttendanceRecorded',
  data: {
    occurredAt: at(day),
    childId: 'c1',
    periodStart: at(day),
    periodEnd: at(day),
    possibleSessions: possible,
    attendedSessions: attended,
    unauthorisedSessions: possible - attended,
  },
});

describe('predicates over an assessment', () => {
  it('treat an absent field as not assessed, never as false', () => {
    const p = defs.domains.find((d) => d.id === 'education_problems')!.predicate;
    expect(evaluateAssessment(p, {})).toBeNull();
    expect(evaluateAssessment(p, { educationProblems: false })).toBe(false);
    expect(evaluateAssessment(p, { educationProblems: true })).toBe(true);
  });
  it('count distinct ASB types', () => {
    const four = defs.domains.find((d) => d.id === 'asb_4_plus')!.predicate;
    const none = defs.domains.find((d) => d.id === 'no_asb')!.predicate;
    expect(evaluateAssessment(four, { asbTypes: ['a', 'b', 'c', 'c'] })).toBe(false);
    expect(evaluateAssessment(four, { asbTypes: ['a', 'b', 'c', 'd'] })).toBe(true);
    expect(evaluateAssessment(none, { asbTypes: [] })).toBe(true);
    expect(evaluateAssessment(none, { housingEnforcementActions: 0 })).toBeNull();
  });
});

describe('baseline, exit, latest and follow-up of an episode', () => {
  const events: FamilyEvent[] = [
    referred,
    // Back-entered history: attendance before the referral (baseline window) at 80%.
    attendance('2024-10-01', 100, 80),
    {
      type: 'DomainAssessmentRecorded',
      data: { occurredAt: at('2025-01-11'), stage: 'referral', educationProblems: true },
    },
    { type: 'InterventionOffered', data: { occurredAt: at('2025-01-12') } },
    { type: 'InterventionAccepted', data: { occurredAt: at('2025-01-15') } },
    {
      type: 'SupportPlanAgreed',
      data: { occurredAt: at('2025-02-01'), domains: ['asb'], plannedWeeklyHours: 9 },
    },
    {
      type: 'DomainAssessmentRecorded',
      data: {
        occurredAt: at('2025-02-01'),
        stage: 'support_plan',
        educationProblems: false,
        asbTypes: ['noise', 'graffiti', 'threats', 'vandalism'],
      },
    },
    { type: 'ReviewHeld', data: { occurredAt: at('2025-03-01'), weeklyContactHours: 9 } },
    { type: 'ReviewHeld', data: { occurredAt: at('2025-10-01'), weeklyContactHours: 7 } },
    {
      type: 'SupportDelivered',
      data: { occurredAt: at('2025-10-15'), supportType: 'parenting', hours: 12 },
    },
    {
      type: 'SupportDelivered',
      data: { occurredAt: at('2025-10-20'), supportType: 'asb', hours: 12 },
    },
    attendance('2025-10-01', 100, 95),
    {
      type: 'DomainAssessmentRecorded',
      data: { occurredAt: at('2025-10-29'), stage: 'exit', educationProblems: false, asbTypes: [] },
    },
    { type: 'FamilyExited', data: { occurredAt: at('2025-10-29'), exitType: 'planned' } },
    {
      type: 'FollowUpScheduled',
      data: {
        occurredAt: at('2025-10-29'),
        episode: 1,
        dueAt: at('2026-10-29'),
        windowOpensAt: at('2026-10-01'),
        windowClosesAt: at('2026-11-26'),
        overdueAt: at('2026-11-26'),
        policyVersion: 1,
      },
    },
    {
      type: 'FollowUpCompleted',
      data: { occurredAt: at('2026-10-29'), episode: 1, assessment: { asbTypes: ['noise'] } },
    },
  ];
  const [episode] = deriveEpisodes('f1', foldOutcomeHistory(decided(events)), defs);

  it('takes the earliest referral or support-plan assessment that covers a domain as baseline', () => {
    expect(has(episode.masks.baseline.assessed, 'education_problems')).toBe(true);
    expect(has(episode.masks.baseline.present, 'education_problems')).toBe(true);
    // Only the support-plan assessment covered ASB.
    expect(has(episode.masks.baseline.present, 'asb_4_plus')).toBe(true);
    expect(has(episode.masks.baseline.assessed, 'drug_alcohol')).toBe(false);
  });

  it('takes the exit assessment at exit and the follow-up assessment one year on', () => {
    expect(has(episode.masks.exit.present, 'asb_4_plus')).toBe(false);
    expect(has(episode.masks.exit.present, 'no_asb')).toBe(true);
    expect(has(episode.masks.followUp.assessed, 'no_asb')).toBe(true);
    expect(has(episode.masks.followUp.present, 'no_asb')).toBe(false);
    expect(has(episode.masks.followUp.assessed, 'education_problems')).toBe(false);
  });

  it('measures persistent absence from attendance in the windows before referral and exit', () => {
    expect(has(episode.masks.baseline.present, 'persistent_absence')).toBe(true);
    expect(has(episode.masks.exit.assessed, 'persistent_absence')).toBe(true);
    expect(has(episode.masks.exit.present, 'persistent_absence')).toBe(false);
    expect(has(episode.masks.followUp.assessed, 'persistent_absence')).toBe(false);
  });

  it('keeps the cohort facts and input measures', () => {
    expect(episode).toMatchObject({
      status: 'exited',
      exitType: 'planned',
      acceptedAt: at('2025-01-15'),
      earlyWeeklyHours: 9,
      supportTypes: ['asb', 'parenting'],
    });
    // 24 hours over the 4 weeks from the last review (1 Oct) to the exit (29 Oct).
    expect(episode.lateWeeklyHours).toBeCloseTo(6, 10);
  });

  it('gives a late-recorded assessment the same place as one recorded on time', () => {
    const late = [...events.slice(0, 2), ...events.slice(3), events[2]];
    const [again] = deriveEpisodes('f1', foldOutcomeHistory(decided(late)), defs);
    expect(again.masks).toEqual(episode.masks);
  });

  it('counts one year on only for a revisited episode', () => {
    expect(episode.revisited).toBe(true);
    // Without the revisit, nothing is one year on, not even an event-derived domain's window.
    const notRevisited = events.slice(0, -2);
    const [open] = deriveEpisodes('f1', foldOutcomeHistory(decided(notRevisited)), defs);
    expect(open.revisited).toBe(false);
    expect(open.masks.followUp).toEqual({ assessed: 0n, present: 0n });
  });

  it('reads a stored bare one-year-on assessment (an old stream) as the completed revisit', () => {
    // As stored before the rule: the decider accepted it then, so fold it as stored.
    const legacy: FamilyEvent = {
      type: 'DomainAssessmentRecorded',
      data: { occurredAt: at('2026-10-29'), stage: 'follow_up', asbTypes: ['noise'] },
    };
    const stored = [...decided(events.slice(0, -2)), { event: legacy, revision: 99 }];
    const [old] = deriveEpisodes('f1', foldOutcomeHistory(stored), defs);
    expect(old.revisited).toBe(true);
    expect(old.masks).toEqual(episode.masks);
  });
});
