import { FAMILY_STREAM_PREFIX } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { EntityManager } from 'typeorm';
import { LogSource, Projection } from './projection';
import { familyIdOf } from './streams';

/** `family_timeline`: every event of every family, to be read in `occurredAt` order. */
export class TimelineProjection implements Projection {
  readonly name = 'family_timeline';
  readonly tables = ['family_timeline'] as const;

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const rows = events.map((e) => ({
      position: e.position.toString(),
      event_id: e.id,
      family_id: familyIdOf(e.streamId),
      revision: e.revision.toString(),
      type: e.type,
      occurred_at: (e.data as { occurredAt: string }).occurredAt,
      recorded_at: e.metadata.recordedAt,
      data: e.data,
    }));
    await tx.query(
      `INSERT INTO family_timeline
       SELECT * FROM jsonb_populate_recordset(null::family_timeline, $1::jsonb)`,
      [JSON.stringify(rows)],
    );
  }

  /** A copy of the log's rows: the payloads stay jsonb, never shipped to Node and parsed back. */
  async replayFromLog(tx: EntityManager, log: LogSource): Promise<void> {
    await tx.query(
      `INSERT INTO family_timeline
       SELECT position, event_id, substr(stream_id, $3)::uuid, revision, type,
              (data ->> 'occurredAt')::timestamptz, (metadata ->> 'recordedAt')::timestamptz, data
       FROM ${log.events}
       WHERE position <= $1 AND ($2::text[] IS NULL OR stream_id LIKE ANY ($2::text[]))`,
      [log.upTo.toString(), log.streamPatterns, FAMILY_STREAM_PREFIX.length + 1],
    );
  }
}
