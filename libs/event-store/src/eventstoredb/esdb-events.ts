/* How the EventStoreDB adapter converts events, and checks a retried append. */
import { isDeepStrictEqual } from 'node:util';
import { jsonEvent, type Position as EsdbPosition } from '@eventstore/db-client';
import { AppendResult, EventMetadata, NewEvent, RecordedEvent } from '../event-store';

/** The fields of an EventStoreDB recorded event that we use (its own type is a wide union). */
export interface EsdbRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: EsdbPosition;
}

export type Verdict =
  | { kind: 'new' }
  | { kind: 'stored'; result: AppendResult }
  | { kind: 'conflict'; eventId: string };

/** What an append sends, near enough: each event's type, data and metadata as JSON. */
export function appendBytes(events: readonly NewEvent[]): number {
  let bytes = 0;
  for (const e of events) {
    bytes += Buffer.byteLength(e.type) + Buffer.byteLength(JSON.stringify(e.data));
    bytes += Buffer.byteLength(JSON.stringify(e.metadata));
  }
  return bytes;
}

export async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

/** Our metadata as is, plus EventStoreDB's own correlation keys for its system projections. */
export function toEventData(event: NewEvent) {
  const { correlationId, causationId } = event.metadata;
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: {
      ...event.metadata,
      $correlationId: correlationId,
      ...(causationId === undefined ? {} : { $causationId: causationId }),
    },
  });
}

export function toRecorded(event: EsdbRecordedEvent): RecordedEvent {
  if (!event.isJson) throw new Error(`event ${event.id} in ${event.streamId} is not JSON`);
  if (!event.position) {
    throw new Error('EventStoreDB returned no event positions: server 22.6 or later is required');
  }
  const {
    $correlationId: _correlation,
    $causationId: _causation,
    ...metadata
  } = (event.metadata ?? {}) as Record<string, unknown>;
  return {
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: metadata as EventMetadata,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position.prepare,
  };
}

/**
 * The PostgreSQL adapter's rule, for the ids on this stream: all stored identically, or none. (An
 * id used on another stream is refused by its claim: see `claimIds`.)
 */
export function checkStored(events: NewEvent[], stored: RecordedEvent[]): Verdict {
  const byId = new Map(stored.map((e) => [e.id.toLowerCase(), e]));
  const found = events.flatMap((e) => {
    const match = byId.get(e.id.toLowerCase());
    return match ? [{ sent: e, match }] : [];
  });
  if (found.length === 0) return { kind: 'new' };
  const different = found.find(
    // Compared as JSON, as they were stored; metadata is not compared (retries re-stamp it).
    ({ sent, match }) =>
      sent.type !== match.type ||
      !isDeepStrictEqual(JSON.parse(JSON.stringify(sent.data)), match.data),
  );
  if (different) return { kind: 'conflict', eventId: different.sent.id };
  if (found.length < events.length) return { kind: 'conflict', eventId: found[0].sent.id };
  const last = found.reduce((a, b) => (b.match.revision > a.match.revision ? b : a)).match;
  return { kind: 'stored', result: { nextRevision: last.revision, position: last.position } };
}
