import { FamilyEvent } from '@app/domain';
import { followUpFacts, isOnTime } from './records';

const scheduled = (episode: number): FamilyEvent => ({
  type: 'FollowUpScheduled',
  data: {
    occurredAt: '2025-01-01T00:00:00.000Z',
    episode,
    dueAt: '2026-01-01T00:00:00.000Z',
    windowOpensAt: '2025-12-04T00:00:00.000Z',
    windowClosesAt: '2026-01-29T00:00:00.000Z',
    overdueAt: '2026-01-29T00:00:00.000Z',
    policyVersion: 1,
  },
});

const at = (day: string) => `${day}T00:00:00.000Z`;
/** Referred and exited (planned) `episodes` times, as a stream holds them before its revisits. */
const exits = (episodes: number): FamilyEvent[] =>
  Array.from({ length: episodes }, (_, i): FamilyEvent[] => [
    {
      type: 'FamilyReferred',
      data: {
        occurredAt: at(`2023-0${i + 1}-01`),
        authority: 'la',
        programme: 'fip',
        source: 'police',
        reasons: ['asb'],
      },
    },
    { type: 'FamilyExited', data: { occurredAt: at(`2023-0${i + 1}-15`), exitType: 'planned' } },
  ]).flat();

describe('follow-up facts from a family stream', () => {
  it('pairs each revisit with its window and outcome, per episode', () => {
    const facts = followUpFacts('f', [
      ...exits(2),
      scheduled(1),
      {
        type: 'FollowUpCompleted',
        data: { occurredAt: '2026-01-10T00:00:00.000Z', episode: 1, assessment: {} },
      },
      scheduled(2),
      {
        type: 'FollowUpMissed',
        data: { occurredAt: '2026-03-01T00:00:00.000Z', episode: 2, reason: 'declined' },
      },
    ]);
    expect(facts).toEqual([
      expect.objectContaining({
        episode: 1,
        completedAt: '2026-01-10T00:00:00.000Z',
        missedAt: null,
      }),
      expect.objectContaining({
        episode: 2,
        completedAt: null,
        missedAt: '2026-03-01T00:00:00.000Z',
      }),
    ]);
    expect(facts.map(isOnTime)).toEqual([true, false]);
  });

  it('a revisit completed after its window is done but not on time', () => {
    const [late] = followUpFacts('f', [
      ...exits(1),
      scheduled(1),
      {
        type: 'FollowUpCompleted',
        data: { occurredAt: '2026-02-10T00:00:00.000Z', episode: 1, assessment: {} },
      },
    ]);
    expect(late.completedAt).not.toBeNull();
    expect(isOnTime(late)).toBe(false);
  });
});
