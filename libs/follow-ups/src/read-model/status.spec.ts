import { statusAt } from './status';

const d = (iso: string) => new Date(iso);

describe('follow-up status', () => {
  describe('status at a clock time', () => {
    const overdueAt = '2026-02-28T00:00:00.000Z';
    it('is scheduled, then due once FollowUpDue is recorded, then overdue after the window', () => {
      expect(statusAt({ status: 'scheduled', overdueAt }, d('2026-01-01T00:00:00Z'))).toBe(
        'scheduled',
      );
      expect(statusAt({ status: 'due', overdueAt }, d('2026-02-01T00:00:00Z'))).toBe('due');
      expect(statusAt({ status: 'due', overdueAt }, d(overdueAt))).toBe('due');
      expect(statusAt({ status: 'due', overdueAt }, d('2026-02-28T00:00:01Z'))).toBe('overdue');
      // A revisit whose FollowUpDue never arrived still shows as overdue: the clock decides.
      expect(statusAt({ status: 'scheduled', overdueAt }, d('2026-03-01T00:00:00Z'))).toBe(
        'overdue',
      );
    });
    it('keeps a resolved outcome whatever the clock says', () => {
      const later = d('2030-01-01T00:00:00Z');
      expect(statusAt({ status: 'completed', overdueAt }, later)).toBe('completed');
      expect(statusAt({ status: 'missed', overdueAt }, later)).toBe('missed');
      expect(statusAt({ status: 'cancelled', overdueAt }, later)).toBe('cancelled');
    });
  });
});
