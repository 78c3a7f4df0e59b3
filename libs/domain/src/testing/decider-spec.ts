import { DomainError } from '../errors';
import { FamilyEvent } from '../events';
import { FamilyIntent } from '../commands';
import { decide } from '../decide';
import { fold } from '../state';

/**
 * Given/when/then for the family decider: `given(events).when(event or intent, now).then(expected)`
 * (an intent is a command named for what it does, e.g. `CompleteRevisit`).
 */
export function given(...history: FamilyEvent[]) {
  return {
    when(event: FamilyEvent | FamilyIntent, now: Date | string = '2026-06-01T00:00:00.000Z') {
      const run = () =>
        decide(
          'data' in event
            ? { type: 'RecordFamilyEvent', event, now: new Date(now) }
            : { ...event, now: new Date(now) },
          fold(history),
        );
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
