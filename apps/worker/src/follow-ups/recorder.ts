import { Clock, FamilyEvent } from '@app/domain';
import { EventStore } from '@app/event-store';
import { FollowUpRecorder } from '@app/follow-ups';
import {
  RecordFamilyEventCommand,
  RecordFamilyEventHandler,
} from '../../../api/src/families/record-family-event';

/**
 * The follow-up engine writes through the same load-decide-append handler as the API, so the
 * decider guards every follow-up event whoever records it.
 */
export function followUpRecorder(store: EventStore, clock: Clock): FollowUpRecorder {
  const handler = new RecordFamilyEventHandler(store, clock);
  return {
    record: (familyId: string, event: FamilyEvent, eventId: string) =>
      handler.execute(
        new RecordFamilyEventCommand(
          familyId,
          event,
          { id: 'follow-up-scheduler', correlationId: eventId },
          eventId,
        ),
      ),
  };
}
