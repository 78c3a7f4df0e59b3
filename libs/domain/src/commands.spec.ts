import { FamilyEvent, FamilyEventData, FamilyEventType } from './events';
import { DEFAULT_FOLLOW_UP_POLICY as policy } from './follow-up-policy';
import { given } from './testing/decider-spec';

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
const offered = ev('InterventionOffered', { occurredAt: '2025-01-20T00:00:00.000Z' });
const accepted = ev('InterventionAccepted', { occurredAt: '2025-01-25T00:00:00.000Z' });
const exited = (exitType: 'planned' | 'disengaged' = 'planned') =>
  ev('FamilyExited', { occurredAt: '2025-06-30T00:00:00.000Z', exitType });
const open = [referred(), offered, accepted];
const closed = [...open, exited()];
const scheduled = ev('FollowUpScheduled', {
  occurredAt: '2025-06-30T00:00:00.000Z',
  episode: 1,
  dueAt: '2026-06-30T00:00:00.000Z',
  windowOpensAt: '2026-06-02T00:00:00.000Z',
  windowClosesAt: '2026-07-28T00:00:00.000Z',
  overdueAt: '2026-07-28T00:00:00.000Z',
  policyVersion: 1,
});
const due = ev('FollowUpDue', { occurredAt: '2026-06-30T00:00:00.000Z', episode: 1 });

const schedule = { type: 'ScheduleRevisit' as const, episode: 1, policy };
const markDue = { type: 'MarkRevisitDue' as const, episode: 1 };
const cancel = {
  type: 'CancelRevisit' as const,
  episode: 1,
  occurredAt: '2026-01-05T00:00:00.000Z',
  reason: 're_referred' as const,
};

describe('revisit commands: the decider builds the events', () => {
  describe('ScheduleRevisit', () => {
    it('schedules an exit the policy covers, dated from the exit, due as the policy says', () => {
      given(...closed)
        .when(schedule)
        .then([scheduled]);
    });
    it('refuses an exit the policy leaves out, and schedules it under an all-exits policy', () => {
      const disengaged = [...open, exited('disengaged')];
      given(...disengaged)
        .when(schedule)
        .thenFails('conflict', 'revisit-under-policy');
      given(...disengaged)
        .when({ ...schedule, policy: { ...policy, exitTypes: 'all' } })
        .then([scheduled]);
    });
    it('refuses an episode still open, one that does not exist, and a second schedule', () => {
      given(...open)
        .when(schedule)
        .thenFails('conflict', 'follow-up-after-exit');
      given(...closed)
        .when({ ...schedule, episode: 2 })
        .thenFails('invalid', 'episode-exists');
      given(...closed, scheduled)
        .when(schedule)
        .thenFails('conflict', 'follow-up-scheduled-once');
    });
  });

  describe('MarkRevisitDue', () => {
    it('records the revisit due on its due date, once the clock has reached it', () => {
      given(...closed, scheduled)
        .when(markDue, '2026-06-30T00:00:00.000Z')
        .then([due]);
      given(...closed, scheduled)
        .when(markDue, '2026-06-29T23:59:59.000Z')
        .thenFails('invalid', 'not-in-future');
    });
    it('refuses a revisit never scheduled, or already due', () => {
      given(...closed)
        .when(markDue, '2027-01-01T00:00:00.000Z')
        .thenFails('conflict', 'due-after-scheduled');
      given(...closed, scheduled, due)
        .when(markDue, '2027-01-01T00:00:00.000Z')
        .thenFails('conflict', 'due-after-scheduled');
    });
  });

  describe('CancelRevisit', () => {
    it('cancels a pending revisit with its reason', () => {
      given(...closed, scheduled)
        .when(cancel)
        .then([
          ev('FollowUpCancelled', {
            occurredAt: '2026-01-05T00:00:00.000Z',
            episode: 1,
            reason: 're_referred',
          }),
        ]);
    });
    it('refuses a revisit not pending', () => {
      given(...closed)
        .when(cancel)
        .thenFails('conflict', 'cancel-pending-follow-up');
      const missed = ev('FollowUpMissed', {
        occurredAt: '2026-07-01T00:00:00.000Z',
        episode: 1,
        reason: 'declined',
      });
      given(...closed, scheduled, missed)
        .when({ ...cancel, occurredAt: '2026-07-02T00:00:00.000Z' }, '2026-08-01T00:00:00.000Z')
        .thenFails('conflict', 'cancel-pending-follow-up');
    });
  });

  describe('AssignRevisit', () => {
    it('gives a pending revisit to a worker, and refuses one not scheduled', () => {
      const assign = {
        type: 'AssignRevisit' as const,
        episode: 1,
        occurredAt: '2026-01-05T00:00:00.000Z',
        workerId: 'kw-9',
      };
      given(...closed, scheduled)
        .when(assign)
        .then([
          ev('FollowUpAssigned', {
            occurredAt: '2026-01-05T00:00:00.000Z',
            episode: 1,
            workerId: 'kw-9',
          }),
        ]);
      given(...closed)
        .when(assign)
        .thenFails('conflict', 'assign-pending-follow-up');
    });
  });

  describe('TransferFamily', () => {
    const transfer = {
      type: 'TransferFamily' as const,
      occurredAt: '2026-01-05T00:00:00.000Z',
      fromAuthority: 'derbyshire',
      toAuthority: 'rotherham',
    };
    it('hands the family to another authority, by the owning one only', () => {
      const transferred = ev('FamilyTransferred', {
        occurredAt: '2026-01-05T00:00:00.000Z',
        fromAuthority: 'derbyshire',
        toAuthority: 'rotherham',
      });
      given(...closed)
        .when(transfer)
        .then([transferred]);
      given(...closed)
        .when({ ...transfer, fromAuthority: 'leeds' })
        .thenFails('conflict', 'transfer-from-owning-authority');
      given(...closed)
        .when({ ...transfer, toAuthority: 'derbyshire' })
        .thenFails('invalid', 'another-authority');
    });
    it('takes a reason only sealed (the write path seals it)', () => {
      given(...closed)
        .when({ ...transfer, reason: 'moved in with grandparents' })
        .thenFails('invalid', 'text-sealed');
    });
  });

  describe('EraseFamily', () => {
    it('erases once', () => {
      const erase = { type: 'EraseFamily' as const, occurredAt: '2026-01-05T00:00:00.000Z' };
      const erased = ev('FamilyErased', { occurredAt: '2026-01-05T00:00:00.000Z' });
      given(...open)
        .when(erase)
        .then([erased]);
      given(...open, erased)
        .when(erase)
        .thenFails('conflict', 'erase-once');
    });
  });
});
