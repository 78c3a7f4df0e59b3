import { EpisodeOutcome } from '../episode-outcomes';
import {
  COHORT_KINDS,
  cohortSql,
  eligibleFor,
  excludedForConsent,
  excludedFromCohort,
  excludedFromCohortSql,
  inCohort,
} from './cohort';

const none = { assessed: 0n, present: 0n };
const planned: EpisodeOutcome = {
  familyId: 'f',
  episode: 1,
  authority: 'a',
  programme: 'fip',
  status: 'exited',
  referredAt: '2025-01-01T00:00:00.000Z',
  offeredAt: null,
  acceptedAt: '2025-01-05T00:00:00.000Z',
  supportPlanAgreedAt: null,
  refusedAt: null,
  refusalStage: null,
  exitedAt: '2025-06-01T00:00:00.000Z',
  exitType: 'planned',
  movedArea: false,
  revisited: false,
  masks: { baseline: none, exit: none, latest: none, followUp: none },
  earlyWeeklyHours: null,
  lateWeeklyHours: null,
  supportTypes: [],
  evaluationWithdrawnAt: null,
  dataSharingWithdrawnAt: null,
};

describe('the consent rule (cohort.ts)', () => {
  it('leaves a family that withdrew consent to evaluation out of every cohort, counted as excluded', () => {
    const withdrawn = { ...planned, evaluationWithdrawnAt: '2025-07-01T00:00:00.000Z' };
    for (const cohort of COHORT_KINDS) {
      expect(inCohort(cohort, planned)).toBe(true);
      expect(excludedFromCohort(cohort, planned)).toBe(false);
      expect(eligibleFor(cohort, withdrawn)).toBe(true);
      expect(inCohort(cohort, withdrawn)).toBe(false);
      expect(excludedFromCohort(cohort, withdrawn)).toBe(true);
    }
    expect(excludedForConsent(withdrawn)).toBe(true);
  });

  it('counts as excluded only episodes the cohort would otherwise hold', () => {
    const refused = {
      ...planned,
      status: 'refused' as const,
      exitType: null,
      exitedAt: null,
      acceptedAt: null,
      evaluationWithdrawnAt: '2025-07-01T00:00:00.000Z',
    };
    expect(excludedFromCohort('planned_exits', refused)).toBe(false);
  });

  it('generates the same rule as SQL for every cohort', () => {
    for (const cohort of COHORT_KINDS) {
      expect(cohortSql(cohort)).toContain('NOT (e.evaluation_withdrawn_at IS NOT NULL)');
      expect(excludedFromCohortSql(cohort)).toMatch(/AND e\.evaluation_withdrawn_at IS NOT NULL$/);
    }
  });
});
