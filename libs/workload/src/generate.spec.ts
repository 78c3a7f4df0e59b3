import { FamilyState, decide, evolve, initialState } from '@app/domain';
import { generateFamilies } from './generate';
import { toNewEvents } from './new-events';

const options = {
  seed: 42,
  families: 400,
  authorities: ['la_a', 'la_b'],
  from: '2022-01-01T00:00:00.000Z',
  to: '2026-06-30T00:00:00.000Z',
};

describe('generateFamilies', () => {
  const families = generateFamilies(options);

  it('produces only histories the decider accepts, in stream order', () => {
    const now = new Date(options.to);
    for (const family of families) {
      let state: FamilyState = initialState();
      for (const { event } of family.events) {
        const stored = decide({ type: 'RecordFamilyEvent', event, now }, state);
        state = stored.reduce(evolve, state);
      }
      expect(state.authority).toBe(family.authority);
    }
  });

  it('is reproducible from its seed, ids included, and differs for another seed', () => {
    expect(generateFamilies(options)).toEqual(families);
    const other = generateFamilies({ ...options, seed: 43 });
    expect(other[0].familyId).not.toBe(families[0].familyId);
  });

  it('gives about 40 events a family in NatCen-like proportions', () => {
    const events = families.reduce((n, f) => n + f.events.length, 0);
    expect(events / families.length).toBeGreaterThan(30);
    expect(events / families.length).toBeLessThan(50);
    const exits = families.map(
      (f) =>
        f.events.find((e) => e.event.type === 'FamilyExited')?.event.data as
          { exitType: string } | undefined,
    );
    const planned = exits.filter((e) => e?.exitType === 'planned').length / families.length;
    const refused =
      families.filter((f) => f.events.some((e) => e.event.type === 'InterventionRefused')).length /
      families.length;
    // NatCen: 30% planned exits, 16% refused at some stage (of those offered).
    expect(planned).toBeGreaterThan(0.15);
    expect(planned).toBeLessThan(0.4);
    expect(refused).toBeGreaterThan(0.1);
    expect(refused).toBeLessThan(0.22);
    const types = new Set(families.flatMap((f) => f.events.map((e) => e.event.type)));
    for (const t of [
      'SchoolAttendanceRecorded',
      'FollowUpCompleted',
      'SupportDelivered',
      'DomainAssessmentRecorded',
    ]) {
      expect(types).toContain(t);
    }
  });

  it('gives events ready to append, dated records by default', () => {
    const [first] = toNewEvents(families[0]);
    expect(first).toMatchObject({
      type: 'FamilyReferred',
      metadata: { authority: families[0].authority, schemaVersion: 1 },
    });
    expect(first.metadata.recordedAt).toBe(families[0].events[0].event.data.occurredAt);
  });
});
