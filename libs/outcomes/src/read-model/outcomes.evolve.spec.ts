import { FamilyEvent, FamilyEventData, FamilyEventType } from '@app/domain';
import { bitOf, given } from './testing/projection-spec';

const ev = <T extends FamilyEventType>(type: T, data: FamilyEventData[T]) =>
  ({ type, data }) as FamilyEvent;
const at = (d: string) => `${d}T00:00:00.000Z`;

const referred = (day = '2025-01-10') =>
  ev('FamilyReferred', {
    occurredAt: at(day),
    authority: 'derbyshire',
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  });
const offered = (day = '2025-01-20') => ev('InterventionOffered', { occurredAt: at(day) });
const accepted = (day = '2025-01-25') => ev('InterventionAccepted', { occurredAt: at(day) });
const exited = (exitType: 'planned' | 'disengaged' | 'moved_area', day = '2025-12-01') =>
  ev('FamilyExited', { occurredAt: at(day), exitType });
const assessed = (stage: 'referral' | 'exit' | 'review', day: string, educationProblems: boolean) =>
  ev('DomainAssessmentRecorded', { occurredAt: at(day), stage, educationProblems });
const review = (day: string, weeklyContactHours: number) =>
  ev('ReviewHeld', { occurredAt: at(day), weeklyContactHours });

const education = bitOf('education_problems');
const started = [referred(), offered(), accepted()];

describe('outcomes read model: evolve, given/when/then', () => {
  it('opens an episode on a referral, with its cohort facts', () => {
    given()
      .when(referred())
      .then([
        {
          episode: 1,
          authority: 'derbyshire',
          programme: 'fip',
          status: 'referred',
          referredAt: at('2025-01-10'),
          acceptedAt: null,
          exitedAt: null,
          revisited: false,
        },
      ]);
  });

  it('closes the episode on an exit, with its type', () => {
    given(...started)
      .when(exited('planned'))
      .then([
        {
          status: 'exited',
          acceptedAt: at('2025-01-25'),
          exitedAt: at('2025-12-01'),
          exitType: 'planned',
          movedArea: false,
        },
      ]);
  });

  it('counts a move-away exit as moved area', () => {
    given(...started)
      .when(exited('moved_area'))
      .then([{ exitType: 'moved_area', movedArea: true }]);
  });

  it('takes the baseline from the referral assessment and the end point from the exit one', () => {
    const [episode] = given(...started, assessed('referral', '2025-01-11', true))
      .when(assessed('exit', '2025-11-30', false), exited('planned'))
      .episodes();
    expect(episode.masks.baseline.assessed & education).toBe(education);
    expect(episode.masks.baseline.present & education).toBe(education);
    expect(episode.masks.exit.assessed & education).toBe(education);
    expect(episode.masks.exit.present & education).toBe(0n);
    // Not revisited: nothing in the one-year-on column.
    expect(episode.masks.followUp).toEqual({ assessed: 0n, present: 0n });
  });

  it('carries the latest state where there is no exit assessment', () => {
    const [episode] = given(...started, assessed('referral', '2025-01-11', true))
      .when(assessed('review', '2025-06-01', false))
      .episodes();
    expect(episode.masks.latest.assessed & education).toBe(education);
    expect(episode.masks.latest.present & education).toBe(0n);
    expect(episode.masks.exit.assessed & education).toBe(0n);
  });

  it('starts a second episode on a re-referral, the first one unchanged', () => {
    given(...started, exited('disengaged'))
      .when(referred('2026-02-01'))
      .then([
        { episode: 1, status: 'exited', exitType: 'disengaged' },
        { episode: 2, status: 'referred', referredAt: at('2026-02-01'), exitType: null },
      ]);
  });

  it('files a back-dated assessment under the episode it happened in', () => {
    const [first, second] = given(
      ...started,
      exited('disengaged', '2025-06-01'),
      referred('2026-02-01'),
    )
      .when(assessed('referral', '2025-01-12', true))
      .episodes();
    expect(first.masks.baseline.present & education).toBe(education);
    expect(second.masks.baseline.assessed & education).toBe(0n);
  });

  it('measures weekly contact hours from the first review', () => {
    given(...started, review('2025-03-01', 6))
      .when(review('2025-06-01', 3))
      .then([{ earlyWeeklyHours: 6 }]);
  });
});
