import { FAMILY_STREAM_PREFIX } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { Projection } from '@app/projections';
import type { EntityManager } from 'typeorm';
import { timelineRecord } from './evolve';

/** `family_timeline`: every event of every family, to be read in `occurredAt` order. */
export class TimelineProjection implements Projection {
  readonly name = 'family_timeline';
  readonly tables = ['family_timeline'] as const;

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const rows = events.map(timelineRecord);
    await tx.query(
      `INSERT INTO family_timeline
       SELECT * FROM jsonb_populate_recordset(null::family_timeline, $1::jsonb)`,
      [JSON.stringify(rows)],
    );
  }

  /**
   * A rebuild copies the log's rows (`EventStore.copyEvents`): where the log shares the database,
   * in one statement, the payloads staying jsonb, never shipped to Node and parsed back. The
   * columns are those `apply` writes, in the table's order.
   */
  readonly logCopy = {
    table: 'family_timeline',
    columns: [
      { name: 'position', from: { field: 'position' } },
      { name: 'event_id', from: { field: 'id' } },
      { name: 'family_id', from: { streamIdAfter: FAMILY_STREAM_PREFIX, as: 'uuid' } },
      { name: 'revision', from: { field: 'revision' } },
      { name: 'type', from: { field: 'type' } },
      { name: 'occurred_at', from: { data: 'occurredAt', as: 'timestamptz' } },
      { name: 'recorded_at', from: { metadata: 'recordedAt', as: 'timestamptz' } },
      { name: 'data', from: { field: 'data' } },
    ],
  } satisfies Projection['logCopy'];
}
