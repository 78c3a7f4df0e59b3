import { DatabaseError, Pool, PoolClient } from 'pg';
import {
  AppendResult,
  DuplicateEventIdError,
  ExpectedRevision,
  WrongExpectedRevisionError,
} from '../event-store';
import { VISIBLE_HEAD, firstPosition } from './positions';

/** The append, in one statement when it can and in a checked transaction when not. */

export const MAX_EVENTS_PER_APPEND = 65535;
const UNIQUE_VIOLATION = '23505';
const DEADLOCK_DETECTED = '40P01';
const EVENT_ID_CONSTRAINT = 'events_event_id_key';
/** One conflicting attempt, then one that sees the winner's committed rows, then a spare. */
export const MAX_ATTEMPTS = 3;

interface StoredRow {
  event_id: string;
  stream_id: string;
  revision: string;
  position: string;
  same: boolean;
}

type Verdict =
  | { kind: 'new' }
  | { kind: 'stored'; result: AppendResult }
  | { kind: 'conflict'; eventId: string };

type Outcome = { kind: 'appended' | 'stored'; result: AppendResult };

/**
 * Advances the stream and inserts the events in one statement (its own transaction, so one
 * xid: positions stay gap-safe). Null if the expectation did not hold: nothing was written.
 */
export async function appendInOneStatement(
  pool: Pool,
  streamId: string,
  count: number,
  payload: string,
  expected: ExpectedRevision,
): Promise<AppendResult | null> {
  const advance = advanceStatement(streamId, BigInt(count), expected);
  const p = advance.params.length + 1;
  const { rows } = await pool.query<{ position: string | null; revision: string | null }>({
    // Prepared once per connection and kind of expectation: planning cost as much as running.
    name: `append-${advance.kind}`,
    text: `WITH advanced AS (${advance.sql}),
     inserted AS (
       INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, transaction_id)
       SELECT ${firstPosition(VISIBLE_HEAD)} + x.ord - 1,
              (x.e->>'id')::uuid, $1, a.revision - $2::bigint + x.ord,
              x.e->>'type', x.e->'data', x.e->'metadata', pg_current_xact_id()
       FROM advanced a, jsonb_array_elements($${p}::jsonb) WITH ORDINALITY AS x(e, ord)
       RETURNING position, revision
     )
     SELECT max(position) AS position, max(revision) AS revision FROM inserted`,
    values: [...advance.params, payload],
  });
  const [row] = rows;
  if (row.position === null || row.revision === null) return null;
  return { nextRevision: BigInt(row.revision), position: BigInt(row.position) };
}

export async function appendOnce(
  pool: Pool,
  streamId: string,
  count: number,
  payload: string,
  expected: ExpectedRevision,
): Promise<AppendResult> {
  const client = await pool.connect();
  let healthy = true;
  try {
    await client.query('BEGIN');
    const outcome = await appendInTransaction(client, streamId, count, payload, expected);
    await client.query(outcome.kind === 'appended' ? 'COMMIT' : 'ROLLBACK');
    return outcome.result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (healthy = false));
    throw err;
  } finally {
    client.release(healthy ? undefined : true);
  }
}

async function appendInTransaction(
  client: PoolClient,
  streamId: string,
  count: number,
  payload: string,
  expected: ExpectedRevision,
): Promise<Outcome> {
  // Read before this transaction has an xid (see "Identity and epochs" above).
  const { rows: heads } = await client.query<{ head: string }>(`SELECT ${VISIBLE_HEAD} AS head`);
  const head = heads[0].head;
  const before = await checkStored(client, streamId, count, payload);
  if (before.kind === 'stored') return before;
  if (before.kind === 'conflict') throw new DuplicateEventIdError(before.eventId);

  const last = await advanceStream(client, streamId, BigInt(count), expected);
  if (last === null) {
    // Read committed: this statement sees what the writer that beat us committed, so a
    // concurrent identical retry still ends as the idempotent result.
    const after = await checkStored(client, streamId, count, payload);
    if (after.kind === 'stored') return after;
    if (after.kind === 'conflict') throw new DuplicateEventIdError(after.eventId);
    throw new WrongExpectedRevisionError(
      streamId,
      expected,
      await currentRevision(client, streamId),
    );
  }

  const { rows } = await client.query<{ position: string }>(
    `WITH inserted AS (
       INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, transaction_id)
       SELECT ${firstPosition('$4::bigint')} + x.ord - 1,
              (x.e->>'id')::uuid, $2, $3::bigint + x.ord - 1,
              x.e->>'type', x.e->'data', x.e->'metadata', pg_current_xact_id()
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord)
       RETURNING position
     )
     SELECT max(position) AS position FROM inserted`,
    [payload, streamId, (last - BigInt(count) + 1n).toString(), head],
  );
  return { kind: 'appended', result: { nextRevision: last, position: BigInt(rows[0].position) } };
}

/** Are these events already stored — all of them, identically, on this stream? */
async function checkStored(
  client: PoolClient,
  streamId: string,
  count: number,
  payload: string,
): Promise<Verdict> {
  // jsonb equality ignores key order and whitespace. Metadata is not compared: a retry carries a
  // new recordedAt.
  const { rows } = await client.query<StoredRow>(
    `SELECT s.event_id, s.stream_id, s.revision, s.position,
            (s.type = x.e->>'type' AND s.data = x.e->'data') AS same
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord)
     JOIN events s ON s.event_id = (x.e->>'id')::uuid
     ORDER BY x.ord`,
    [payload],
  );
  if (rows.length === 0) return { kind: 'new' };
  const different = rows.find((r) => r.stream_id !== streamId || !r.same);
  if (different) return { kind: 'conflict', eventId: different.event_id };
  // Some ids stored and some not: not a retry of one append.
  if (rows.length < count) return { kind: 'conflict', eventId: rows[0].event_id };
  const last = rows.reduce((a, b) => (BigInt(b.revision) > BigInt(a.revision) ? b : a));
  return {
    kind: 'stored',
    result: { nextRevision: BigInt(last.revision), position: BigInt(last.position) },
  };
}

/**
 * Moves the stream's revision on by `count` if the expectation holds, returning the new last
 * revision, or null on a mismatch. The row write (or its lock) also serialises appends to one
 * stream and gives the transaction its xid before positions are computed.
 */
async function advanceStream(
  client: PoolClient,
  streamId: string,
  count: bigint,
  expected: ExpectedRevision,
): Promise<bigint | null> {
  const { sql, params } = advanceStatement(streamId, count, expected);
  const { rows } = await client.query<{ revision: string }>(sql, params);
  return rows.length ? BigInt(rows[0].revision) : null;
}

/** The statement behind `advanceStream`: $1 is the stream, $2 the count, $3 the expectation. */
function advanceStatement(
  streamId: string,
  count: bigint,
  expected: ExpectedRevision,
): { kind: string; sql: string; params: string[] } {
  const n = count.toString();
  switch (expected) {
    case 'no_stream':
      // ON CONFLICT waits for a concurrent inserter and then does nothing: a race, not an error.
      return {
        kind: 'no-stream',
        sql: `INSERT INTO streams (stream_id, revision) VALUES ($1, $2::bigint - 1)
              ON CONFLICT (stream_id) DO NOTHING RETURNING revision`,
        params: [streamId, n],
      };
    case 'stream_exists':
      return {
        kind: 'stream-exists',
        sql: `UPDATE streams SET revision = revision + $2::bigint WHERE stream_id = $1 RETURNING revision`,
        params: [streamId, n],
      };
    case 'any':
      return {
        kind: 'any',
        sql: `INSERT INTO streams (stream_id, revision) VALUES ($1, $2::bigint - 1)
              ON CONFLICT (stream_id) DO UPDATE SET revision = streams.revision + $2::bigint
              RETURNING revision`,
        params: [streamId, n],
      };
    default:
      // Read committed re-checks the WHERE on the row a concurrent writer just committed.
      return {
        kind: 'revision',
        sql: `UPDATE streams SET revision = revision + $2::bigint
              WHERE stream_id = $1 AND revision = $3 RETURNING revision`,
        params: [streamId, n, expected.toString()],
      };
  }
}

async function currentRevision(
  client: PoolClient,
  streamId: string,
): Promise<bigint | 'no_stream'> {
  const { rows } = await client.query<{ revision: string }>(
    'SELECT revision FROM streams WHERE stream_id = $1',
    [streamId],
  );
  return rows.length ? BigInt(rows[0].revision) : 'no_stream';
}

/** A unique violation on event_id, or a deadlock between two appends inserting the same ids. */
export function isEventIdRace(err: unknown): err is DatabaseError {
  return (
    err instanceof DatabaseError &&
    ((err.code === UNIQUE_VIOLATION && err.constraint === EVENT_ID_CONSTRAINT) ||
      err.code === DEADLOCK_DETECTED)
  );
}

export function conflictingId(err: DatabaseError): string | undefined {
  return /\(event_id\)=\(([^)]+)\)/.exec(err.detail ?? '')?.[1];
}
