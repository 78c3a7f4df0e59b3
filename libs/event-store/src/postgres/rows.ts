import { EventMetadata, RecordedEvent } from '../event-store';

/** The log's row as the pg driver returns it (bigint columns as strings). */
export interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata';

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
  };
}
