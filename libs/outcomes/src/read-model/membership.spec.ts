import { EpisodeOutcome } from '../episode-outcomes';
import { attritionOf, placeOf } from './attrition';
import { COHORT_KINDS, eligibleFor, eligibleSql } from './cohort';

const none = { assessed: 0n, present: 0n };
const episode = (over: Partial<EpisodeOutcome>): EpisodeOutcome => ({
  familyId: 'f',
  episode: 1,
  authority: 'a',
  programme: 'fip',
  status: 'referred',
  referredAt: '2025-01-01T00:00:00.000Z',
  offeredAt: null,
  acceptedAt: null,
  supportPlanAgreedAt: null,
  refusedAt: null,
  refusalStage: null,
  exitedAt: null,
  exitType: null,
  movedArea: false,
  revisited: false,
  masks: { baseline: none, exit: none, latest: none, followUp: none },
  earlyWeeklyHours: null,
  lateWeeklyHours: null,
  supportTypes: [],
  evaluationWithdrawnAt: null,
  dataSharingWithdrawnAt: null,
  ...over,
});
const started = { offeredAt: '2025-01-03T00:00:00.000Z', acceptedAt: '2025-01-05T00:00:00.000Z' };
const exited = (exitType: EpisodeOutcome['exitType']) => ({
  status: 'exited' as const,
  exitedAt: '2025-06-01T00:00:00.000Z',
  exitType,
});

describe('cohort membership (cohort.ts)', () => {
  it('holds no family that exited before an intervention started, in any cohort (issue 15 item 6)', () => {
    // The demo's "other" exits five days after referral, before any offer: 16 such families
    // were counted in all_exits.
    const closedBeforeOffer = episode(exited('other'));
    for (const cohort of COHORT_KINDS) expect(eligibleFor(cohort, closedBeforeOffer)).toBe(false);
    expect(eligibleSql('all_exits')).toContain('e.accepted_at IS NOT NULL');
  });

  it('holds a started family that exited in all_exits and all_started, planned or not', () => {
    const disengaged = episode({ ...started, ...exited('disengaged') });
    expect(eligibleFor('all_exits', disengaged)).toBe(true);
    expect(eligibleFor('all_started', disengaged)).toBe(true);
    expect(eligibleFor('planned_exits', disengaged)).toBe(false);
    const planned = episode({ ...started, ...exited('planned') });
    for (const cohort of COHORT_KINDS) expect(eligibleFor(cohort, planned)).toBe(true);
  });
});

describe('the attrition line (attrition.ts)', () => {
  const episodes = [
    episode({}),
    episode({ status: 'offered', offeredAt: started.offeredAt }),
    episode({ status: 'refused', refusalStage: 'offer', offeredAt: started.offeredAt }),
    episode(exited('other')),
    episode({ ...started, status: 'accepted' }),
    episode({ ...started, status: 'accepted' }),
    episode({ ...started, status: 'refused', refusalStage: 'support_plan' }),
    episode({ ...started, status: 'refused', refusalStage: 'intervention' }),
    episode({ ...started, ...exited('disengaged') }),
    episode({ ...started, ...exited('custody') }),
    episode({ ...started, ...exited('planned') }),
    episode({ ...started, ...exited('planned') }),
    episode({ ...started, ...exited('planned'), evaluationWithdrawnAt: '2025-07-01T00:00:00Z' }),
  ];

  it('puts every referral in one place: referred → started → planned exit, and the rest', () => {
    const a = attritionOf(episodes, {});
    expect(a).toEqual({
      excludedForConsent: 1,
      referred: 12,
      started: 8,
      plannedExits: 2,
      notStarted: {
        total: 4,
        awaitingOffer: 1,
        awaitingDecision: 1,
        refusedAtOffer: 1,
        exited: { total: 1, byType: { disengaged: 0, moved_area: 0, custody: 0, other: 1 } },
      },
      startedNoPlannedExit: {
        total: 6,
        ongoing: 2,
        refusedAtSupportPlan: 1,
        refusedDuringIntervention: 1,
        exited: { total: 2, byType: { disengaged: 1, moved_area: 0, custody: 1, other: 0 } },
      },
    });
    expect(a.started + a.notStarted.total).toBe(a.referred);
    // The line's steps are the cohorts' memberships.
    const counted = episodes.filter((e) => e.evaluationWithdrawnAt === null);
    expect(a.started).toBe(counted.filter((e) => eligibleFor('all_started', e)).length);
    expect(a.plannedExits).toBe(counted.filter((e) => eligibleFor('planned_exits', e)).length);
  });

  it('has a place for every episode the decider allows', () => {
    for (const e of episodes) expect(placeOf(e)).toBeDefined();
  });
});
