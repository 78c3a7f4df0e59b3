import { Clock, FamilyEvent, FamilyIntent } from '@app/domain';
import { EventStore } from '@app/event-store';
import { FamilyRecorder } from '@app/recording';

/**
 * How the engine records on a family's stream: the app's one write path (load, decide, append).
 * The engine sends intents (the decider builds the events); a stated event is accepted too, for
 * imports and tests. `eventId` makes the append idempotent; a broken invariant throws a
 * `DomainError`.
 */
export interface FollowUpRecorder {
  record(familyId: string, what: FamilyIntent | FamilyEvent, eventId: string): Promise<unknown>;
}

/**
 * The follow-up engine writes through the same load-decide-append path as the API, so the
 * decider guards every follow-up event whoever records it.
 */
export function followUpRecorder(store: EventStore, clock: Clock): FollowUpRecorder {
  const recorder = new FamilyRecorder(store, clock);
  return {
    record: (familyId: string, what: FamilyIntent | FamilyEvent, eventId: string) =>
      recorder.record({
        familyId,
        ...('data' in what ? { event: what } : { intent: what }),
        actor: { id: 'follow-up-scheduler', correlationId: eventId },
        eventId,
      }),
  };
}
