import { followUpEventId, followUpId, uuidV5 } from './ids';
import {
  DEFAULT_FOLLOW_UP_POLICY as policy,
  addDuration,
  completedOnTime,
  parsePolicy,
  qualifiesForFollowUp,
  scheduleFor,
  statusAt,
} from './policy';

const d = (iso: string) => new Date(iso);

describe('follow-up policy', () => {
  describe('which exits get a revisit', () => {
    it('by default, planned exits only', () => {
      expect(qualifiesForFollowUp(policy, 'planned')).toBe(true);
      expect(qualifiesForFollowUp(policy, 'disengaged')).toBe(false);
      expect(qualifiesForFollowUp(policy, 'moved_area')).toBe(false);
    });
    it('configurable to every exit', () => {
      const all = { ...policy, exitTypes: 'all' as const };
      expect(qualifiesForFollowUp(all, 'disengaged')).toBe(true);
      expect(qualifiesForFollowUp(all, 'custody')).toBe(true);
    });
  });

  describe('due date: exit + 12 months, same day of the month, or the last day of a shorter month', () => {
    it.each([
      ['2025-03-15T00:00:00.000Z', '2026-03-15T00:00:00.000Z'],
      ['2025-01-31T00:00:00.000Z', '2026-01-31T00:00:00.000Z'],
      ['2024-02-29T00:00:00.000Z', '2025-02-28T00:00:00.000Z'],
      ['2025-12-31T23:30:00.000Z', '2026-12-31T23:30:00.000Z'],
    ])('exit %s is due %s', (exitedAt, dueAt) => {
      expect(scheduleFor(policy, exitedAt).dueAt).toBe(dueAt);
    });
    it('clamps a month-end exit to the end of a shorter month', () => {
      expect(addDuration(d('2025-01-31T00:00:00Z'), 'P1M').toISOString()).toBe(
        '2025-02-28T00:00:00.000Z',
      );
      expect(addDuration(d('2024-01-31T00:00:00Z'), 'P1M').toISOString()).toBe(
        '2024-02-29T00:00:00.000Z',
      );
      expect(addDuration(d('2025-03-31T00:00:00Z'), 'P1M', -1).toISOString()).toBe(
        '2025-02-28T00:00:00.000Z',
      );
      expect(addDuration(d('2025-08-31T00:00:00Z'), 'P18M').toISOString()).toBe(
        '2027-02-28T00:00:00.000Z',
      );
    });
    it('adds weeks and days as whole days', () => {
      expect(addDuration(d('2026-01-31T00:00:00Z'), 'P4W').toISOString()).toBe(
        '2026-02-28T00:00:00.000Z',
      );
      expect(addDuration(d('2026-01-31T00:00:00Z'), 'P1Y10D').toISOString()).toBe(
        '2027-02-10T00:00:00.000Z',
      );
    });
  });

  it('puts the on-time window four weeks either side of the due date; overdue at its end', () => {
    expect(scheduleFor(policy, '2025-01-31T00:00:00.000Z')).toEqual({
      dueAt: '2026-01-31T00:00:00.000Z',
      windowOpensAt: '2026-01-03T00:00:00.000Z',
      windowClosesAt: '2026-02-28T00:00:00.000Z',
      overdueAt: '2026-02-28T00:00:00.000Z',
      policyVersion: 1,
    });
  });

  it('counts a completion inside the window (inclusive) as on time', () => {
    const s = scheduleFor(policy, '2025-01-31T00:00:00.000Z');
    expect(completedOnTime(s, '2026-01-03T00:00:00.000Z')).toBe(true);
    expect(completedOnTime(s, '2026-02-28T00:00:00.000Z')).toBe(true);
    expect(completedOnTime(s, '2026-01-02T23:59:59.000Z')).toBe(false);
    expect(completedOnTime(s, '2026-02-28T00:00:01.000Z')).toBe(false);
  });

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

  describe('policy from configuration', () => {
    it('accepts the default and an all-exits variant', () => {
      expect(parsePolicy(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
      expect(parsePolicy({ ...policy, version: 2, exitTypes: 'all' }).exitTypes).toBe('all');
    });
    it('names what is wrong', () => {
      expect(() => parsePolicy({ ...policy, dueAfter: '12 months' })).toThrow(/dueAfter/);
      expect(() => parsePolicy({ ...policy, exitTypes: ['finished'] })).toThrow(/exitTypes/);
      expect(() => parsePolicy({ ...policy, onReReferral: 'ignore' })).toThrow(/onReReferral/);
      expect(() => parsePolicy({ ...policy, version: 0 })).toThrow(/version/);
    });
  });
});

describe('follow-up ids', () => {
  it('are RFC 4122 v5 UUIDs (checked against a published vector)', () => {
    // python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });
  it('are the same for the same family episode and differ otherwise', () => {
    const family = '0b0f5b4e-7a0c-4a55-8f1e-2d7c9b3a1e10';
    expect(followUpId(family, 1)).toBe(followUpId(family, 1));
    expect(followUpId(family, 1)).not.toBe(followUpId(family, 2));
    const id = followUpId(family, 1);
    expect(followUpEventId(id, 'due')).toBe(followUpEventId(id, 'due'));
    expect(followUpEventId(id, 'due')).not.toBe(followUpEventId(id, 'scheduled'));
  });
});
