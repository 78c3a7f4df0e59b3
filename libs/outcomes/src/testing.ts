import { FamilyEvent, FamilyState, decide, evolve, initialState } from '@app/domain';
import { DomainCounts } from './table';

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

/** A domain's counts from its paired table (and, optionally, the panel's), consistent by construction. */
export function pairedCounts(
  t: { both: number; baselineOnly: number; exitOnly: number; neither: number },
  panel: Partial<DomainCounts> = {},
): DomainCounts {
  return {
    n: t.both + t.baselineOnly + t.exitOnly + t.neither,
    baseline: t.both + t.baselineOnly,
    end: t.both + t.exitOnly,
    presentToAbsent: t.baselineOnly,
    absentToPresent: t.exitOnly,
    both: t.both,
    followUpN: 0,
    followUp: 0,
    followUpBaseline: 0,
    followUpEnd: 0,
    followUpBoth: 0,
    improvedFollowedUp: 0,
    kept: 0,
    ...panel,
  };
}
