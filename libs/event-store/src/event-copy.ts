/*
 * `EventStore.copyEvents`, both ways: one INSERT … SELECT over the PostgreSQL log where it shares
 * the target's database, and the plain way every store has (read the events, insert them in
 * batches). The column mapping is defined once here for both.
 */
import {
  EventColumnSource,
  EventCopy,
  EventStore,
  RecordedEvent,
  SqlQueryable,
} from './event-store';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COPY_BATCH = 5000;

/** The log's column that holds each event field (PostgreSQL). */
const LOG_COLUMNS = {
  position: 'position',
  id: 'event_id',
  streamId: 'stream_id',
  revision: 'revision',
  type: 'type',
  data: 'data',
  metadata: 'metadata',
} as const;

function key(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`copyEvents: ${name} is not a plain name`);
  return name;
}

/** A column's value in SQL over the log's row. */
function sqlOf(source: EventColumnSource): string {
  const value =
    'field' in source
      ? LOG_COLUMNS[source.field]
      : 'streamIdAfter' in source
        ? `substr(stream_id, ${source.streamIdAfter.length + 1})`
        : 'data' in source
          ? `(data ->> '${key(source.data)}')`
          : `(metadata ->> '${key(source.metadata)}')`;
  return source.as ? `${value}::${source.as}` : value;
}

/** The same column's value from a recorded event (JSON, cast by the insert). */
function valueOf(source: EventColumnSource, event: RecordedEvent): unknown {
  if ('field' in source) {
    const value = event[source.field];
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if ('streamIdAfter' in source) return event.streamId.slice(source.streamIdAfter.length);
  if ('data' in source) return event.data[source.data];
  return event.metadata[source.metadata];
}

const columnList = (copy: EventCopy) => copy.columns.map((c) => key(c.name)).join(', ');

/** `prefix%`, LIKE's own wildcards taken literally. */
export const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/** The LIKE patterns of a prefix filter, or null for every stream. */
export const likePatterns = (prefixes?: string[]): string[] | null =>
  prefixes?.length ? prefixes.map(likePrefix) : null;

/** One statement copying from `log` (the schema-qualified events table) into `copy.table`. */
export async function copyEventsInSql(
  db: SqlQueryable,
  log: string,
  copy: EventCopy,
): Promise<void> {
  await db.query(
    `INSERT INTO ${key(copy.table)} (${columnList(copy)})
     SELECT ${copy.columns.map((c) => sqlOf(c.from)).join(', ')}
     FROM ${log}
     WHERE position <= $1 AND ($2::text[] IS NULL OR stream_id LIKE ANY ($2::text[]))`,
    [copy.upTo.toString(), likePatterns(copy.streamPrefixes)],
  );
}

/** The plain way: the events read in position order, inserted a batch at a time. */
export async function copyEventsByReading(
  store: Pick<EventStore, 'readAll'>,
  db: SqlQueryable,
  copy: EventCopy,
): Promise<void> {
  const table = key(copy.table);
  let from = 0n;
  for (;;) {
    const read = await store.readAll(from, {
      streamPrefixes: copy.streamPrefixes,
      limit: COPY_BATCH,
    });
    const batch = read.filter((e) => e.position <= copy.upTo);
    if (batch.length) {
      const rows = batch.map((e) =>
        Object.fromEntries(copy.columns.map((c) => [c.name, valueOf(c.from, e)])),
      );
      await db.query(
        `INSERT INTO ${table} (${columnList(copy)})
         SELECT ${columnList(copy)} FROM jsonb_populate_recordset(null::${table}, $1::jsonb)`,
        [JSON.stringify(rows)],
      );
    }
    if (read.length < COPY_BATCH || batch.length < read.length) return;
    from = read[read.length - 1].position;
  }
}
