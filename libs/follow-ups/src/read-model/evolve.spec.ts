import { FamilyEvent, FamilyEventData, FamilyEventType } from '@app/domain';
import { followUpId } from '../ids';
import { FollowUpFold, FollowUpRow } from './evolve';

/**
 * The follow-ups fold specified like the decider: given a family's events, when one more is
 * folded, then its revisit rows are these (only the fields named are compared).
 */
const FAMILY = '5b0c1c52-0000-4000-8000-000000000001';
const RECORDED_AT = '2026-09-09T09:09:09.000Z';

function given(...history: FamilyEvent[]) {
  const fold = new FollowUpFold();
  history.forEach((e, i) => fold.apply(FAMILY, e, String(i + 1), RECORDED_AT));
  return {
    when(event: FamilyEvent) {
      const run = () => fold.apply(FAMILY, event, String(history.length + 1), RECORDED_AT);
      return {
        then(rows: Partial<FollowUpRow>[]) {
          run();
          const byEpisode = [...fold.rows.values()].sort((a, b) => a.episode - b.episode);
          expect(byEpisode).toEqual(rows.map((r) => expect.objectContaining(r)));
        },
        thenFails(message: RegExp) {
          expect(run).toThrow(message);
        },
      };
    },
  };
}

const ev = <T extends FamilyEventType>(type: T, data: FamilyEventData[T]) =>
  ({ type, data }) as FamilyEvent;
const referred = (occurredAt = '2025-01-10T00:00:00.000Z') =>
  ev('FamilyReferred', {
    occurredAt,
    authority: 'derbyshire',
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  });
const exited = ev('FamilyExited', { occurredAt: '2025-06-30T00:00:00.000Z', exitType: 'planned' });
const scheduled = ev('FollowUpScheduled', {
  occurredAt: '2025-06-30T00:00:00.000Z',
  episode: 1,
  dueAt: '2026-06-30T00:00:00.000Z',
  windowOpensAt: '2026-06-02T00:00:00.000Z',
  windowClosesAt: '2026-07-28T00:00:00.000Z',
  overdueAt: '2026-07-28T00:00:00.000Z',
  policyVersion: 1,
});
const completed = (occurredAt: string) =>
  ev('FollowUpCompleted', { occurredAt, episode: 1, assessment: { domesticViolence: false } });
const first = followUpId(FAMILY, 1);

describe('follow-ups evolve', () => {
  it('an exit opens the episode’s revisit, not yet scheduled', () => {
    given(referred())
      .when(exited)
      .then([
        {
          follow_up_id: first,
          family_id: FAMILY,
          episode: 1,
          authority: 'derbyshire',
          programme: 'fip',
          exit_type: 'planned',
          exited_at: '2025-06-30T00:00:00.000Z',
          status: 'none',
          due_at: null,
          position: '2',
        },
      ]);
  });

  it('a schedule records the policy’s dates', () => {
    given(referred(), exited)
      .when(scheduled)
      .then([
        {
          status: 'scheduled',
          policy_version: 1,
          due_at: '2026-06-30T00:00:00.000Z',
          window_opens_at: '2026-06-02T00:00:00.000Z',
          window_closes_at: '2026-07-28T00:00:00.000Z',
          overdue_at: '2026-07-28T00:00:00.000Z',
        },
      ]);
  });

  it('falling due is dated when it was recorded', () => {
    given(referred(), exited, scheduled)
      .when(ev('FollowUpDue', { occurredAt: '2026-06-30T00:00:00.000Z', episode: 1 }))
      .then([{ status: 'due', due_recorded_at: RECORDED_AT }]);
  });

  it('a completion inside the window is on time, outside it late', () => {
    given(referred(), exited, scheduled)
      .when(completed('2026-07-01T00:00:00.000Z'))
      .then([
        {
          status: 'completed',
          completed_at: '2026-07-01T00:00:00.000Z',
          completed_on_time: true,
          completion_assessment: { domesticViolence: false },
        },
      ]);
    given(referred(), exited, scheduled)
      .when(completed('2026-08-01T00:00:00.000Z'))
      .then([{ status: 'completed', completed_on_time: false }]);
  });

  it('a bare one-year-on assessment of an old stream completes the revisit; a later schedule dates it', () => {
    const bare = ev('DomainAssessmentRecorded', {
      occurredAt: '2026-06-20T00:00:00.000Z',
      stage: 'follow_up',
      domesticViolence: true,
    });
    given(referred(), exited)
      .when(bare)
      .then([
        { status: 'completed', completed_at: '2026-06-20T00:00:00.000Z', completed_on_time: null },
      ]);
    given(referred(), exited, bare)
      .when(scheduled)
      .then([{ status: 'completed', completed_on_time: true, due_at: '2026-06-30T00:00:00.000Z' }]);
  });

  it('missed and cancelled keep their reasons; an assignment names the worker', () => {
    given(referred(), exited, scheduled)
      .when(
        ev('FollowUpMissed', {
          occurredAt: '2026-07-01T00:00:00.000Z',
          episode: 1,
          reason: 'declined',
        }),
      )
      .then([
        { status: 'missed', missed_at: '2026-07-01T00:00:00.000Z', missed_reason: 'declined' },
      ]);
    given(referred(), exited, scheduled)
      .when(
        ev('FollowUpCancelled', {
          occurredAt: '2026-01-05T00:00:00.000Z',
          episode: 1,
          reason: 're_referred',
        }),
      )
      .then([{ status: 'cancelled', cancelled_reason: 're_referred' }]);
    given(referred(), exited, scheduled)
      .when(
        ev('FollowUpAssigned', {
          occurredAt: '2026-01-05T00:00:00.000Z',
          episode: 1,
          workerId: 'kw-9',
        }),
      )
      .then([{ status: 'scheduled', assigned_worker: 'kw-9' }]);
  });

  it('a re-referral notes the date on the previous revisit; the next exit opens another', () => {
    const again = referred('2026-01-05T00:00:00.000Z');
    given(referred(), exited, scheduled)
      .when(again)
      .then([{ episode: 1, status: 'scheduled', re_referred_at: '2026-01-05T00:00:00.000Z' }]);
    given(referred(), exited, scheduled, again)
      .when(ev('FamilyExited', { occurredAt: '2026-03-01T00:00:00.000Z', exitType: 'disengaged' }))
      .then([
        { episode: 1, status: 'scheduled' },
        {
          episode: 2,
          follow_up_id: followUpId(FAMILY, 2),
          status: 'none',
          exit_type: 'disengaged',
        },
      ]);
  });

  it('a transfer moves every revisit of the family to the new authority', () => {
    given(referred(), exited, scheduled)
      .when(
        ev('FamilyTransferred', {
          occurredAt: '2026-01-05T00:00:00.000Z',
          fromAuthority: 'derbyshire',
          toAuthority: 'rotherham',
        }),
      )
      .then([{ authority: 'rotherham', status: 'scheduled' }]);
  });

  it('refuses a family’s events before its referral, and a revisit of an episode never exited', () => {
    given()
      .when(exited)
      .thenFails(/before any referral/);
    given(referred())
      .when(scheduled)
      .thenFails(/never exited/);
  });
});
