import { FamilyEvent, FamilyState, decide, evolve, initialState } from '@app/domain';

/** Runs events through the decider (as the API would) and returns them as stored, with revisions. */
export function decided(
  events: FamilyEvent[],
  now = new Date('2030-01-01T00:00:00Z'),
): { event: FamilyEvent; revision: number }[] {
  let state: FamilyState = initialState();
  const out: { event: FamilyEvent; revision: number }[] = [];
  for (const event of events) {
    for (const stored of decide({ type: 'RecordFamilyEvent', event, now }, state)) {
      state = evolve(state, stored);
      out.push({ event: stored, revision: out.length });
    }
  }
  return out;
}
