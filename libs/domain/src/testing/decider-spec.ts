import { DomainError } from '../errors';
import { FamilyEvent } from '../events';
import { decide, fold } from '../family';

/** Given/when/then for the family decider: `given(events).when(event, now).then(expected)`. */
export function given(...history: FamilyEvent[]) {
  return {
    when(event: FamilyEvent, now: Date | string = '2026-06-01T00:00:00.000Z') {
      const run = () =>
        decide({ type: 'RecordFamilyEvent', event, now: new Date(now) }, fold(history));
      return {
        then(expected: FamilyEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenFails(kind: DomainError['kind'], rule: string) {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect(error).toMatchObject({ kind, rule });
        },
      };
    },
  };
}
