import {
  DEFAULT_FOLLOW_UP_POLICY as policy,
  addDuration,
  completedOnTime,
  parsePolicy,
  qualifiesForFollowUp,
  scheduleFor,
} from './follow-up-policy';

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
