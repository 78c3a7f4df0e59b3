import { Clock, FamilyEvent } from '@app/domain';
import { EventStore } from '@app/event-store';
import { FollowUpRecorder } from './engine';
import { FamilyRecorder } from '@app/recording';

/**
 * The follow-up engine writes through the same load-decide-append path as the API, so the
 * decider guards every follow-up event whoever records it.
 */
export function followUpRecorder(store: EventStore, clock: Clock): FollowUpRecorder {
  const recorder = new FamilyRecorder(store, clock);
  return {
    record: (familyId: string, event: FamilyEvent, eventId: string) =>
      recorder.record({
        familyId,
        event,
        actor: { id: 'follow-up-scheduler', correlationId: eventId },
        eventId,
      }),
  };
}
