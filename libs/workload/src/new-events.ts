import { FamilyEvent, SCHEMA_VERSIONS } from '@app/domain';
import { NewEvent } from '@app/event-store';
import type { GeneratedFamily } from './generate';

/** A family's events as the event store takes them; `recordedAt` defaults to each event's date. */
export function toNewEvents(
  family: GeneratedFamily,
  recordedAt?: (event: FamilyEvent) => string,
): NewEvent[] {
  return family.events.map(({ id, event }) => ({
    id,
    type: event.type,
    data: event.data as unknown as Record<string, unknown>,
    metadata: {
      recordedAt: recordedAt ? recordedAt(event) : event.data.occurredAt,
      actor: 'workload',
      authority: family.authority,
      correlationId: family.familyId,
      schemaVersion: SCHEMA_VERSIONS[event.type],
    },
  }));
}
