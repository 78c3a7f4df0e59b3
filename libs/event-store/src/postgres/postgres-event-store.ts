import { DatabaseError, Pool, PoolClient } from 'pg';
import {
  AppendResult,
  DuplicateEventIdError,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadByStreamOptions,
  RecordedEvent,
  StoreIdentity,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store';
import { isAborted, sleep, validateNewEvents } from '../internal';
import { DatabaseConfig, createPool } from './database';

/*
 * Gap-safe global order, by transaction-id visibility.
 *
 * A sequence would not do: a transaction can take position 10, another take 11 and commit first; a
 * subscriber that has seen 11 and checkpointed it would never see 10. Instead an event's position
 * is `(xid + offset) * 65536 + index`, where xid is the appending transaction's id (one append per
 * transaction) and offset the current epoch's (below). Readers only return positions below
 * `(xmin + offset) * 65536`, xmin being the oldest transaction still running when their snapshot
 * was taken: every transaction below xmin has finished (and its events, if committed, are in that
 * same snapshot), and every transaction that can still commit has, or will get, an xid >= xmin,
 * hence higher positions than anything returned. The price: while any transaction holding an xid
 * is open (anywhere in the cluster), newer events wait for it. No NOTIFY in the append: it takes a
 * cluster-wide lock at commit. (xid8 counts from 0 without wrapping; times 65536 it fits a bigint
 * for 2^47 transactions.)
 *
 * Identity and epochs. A logical restore (pg_dump into a new cluster) restarts transaction ids,
 * possibly far below the stored positions: new events would sort before everything projections
 * have already checkpointed, and never be seen. So the append checks that its first position is
 * above the highest position its snapshot sees (taken before the transaction had an xid, so in one
 * cluster this always holds: every transaction committed before that snapshot has a lower xid);
 * when it is not, the store opens a new epoch (`identity()`): `xid_offset` is raised so that
 * every transaction still running or to come writes above every stored event, and the epoch's
 * start is recorded. Positions stay monotonic; checkpoints record store id and epoch.
 */
const SLOTS_PER_TRANSACTION = 65536n;
const MAX_EVENTS_PER_APPEND = 65535;
const XID_OFFSET = '(SELECT xid_offset FROM event_store)';
const HORIZON = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint + ${XID_OFFSET}) * ${SLOTS_PER_TRANSACTION}`;
const BASE = `(pg_current_xact_id()::text::bigint + ${XID_OFFSET}) * ${SLOTS_PER_TRANSACTION}`;
/** This transaction's first position, or the restore error if it is not above `head` (SQL). */
const firstPosition = (head: string) =>
  `CASE WHEN ${BASE} > ${head} THEN ${BASE} ELSE event_store_restored(${head}) END`;
/** The highest position the statement's snapshot sees, -1 if none. */
const VISIBLE_HEAD = '(SELECT coalesce(max(position), -1) FROM events)';
/** Raised by `event_store_restored` (migration 1764820000000). */
const RESTORED = 'OL001';

const UNIQUE_VIOLATION = '23505';
const DEADLOCK_DETECTED = '40P01';
const EVENT_ID_CONSTRAINT = 'events_event_id_key';
/** One conflicting attempt, then one that sees the winner's committed rows, then a spare. */
const MAX_ATTEMPTS = 3;

export interface PostgresEventStoreOptions {
  /** How long a caught-up subscriber waits before reading again; default 50. */
  pollIntervalMs?: number;
  /** Whether `close()` ends the pool (the store's own); default false: the pool is the caller's. */
  ownsPool?: boolean;
}

interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

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

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata';

export class PostgresEventStore implements EventStore {
  private readonly pollIntervalMs: number;
  private readonly ownsPool: boolean;
  private readonly closing = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.ownsPool = options.ownsPool ?? false;
    // An idle client losing its connection must not crash the process (an 'error' event without
    // a listener throws); the pool replaces the client. A borrowed pool's owner decides for itself.
    if (this.ownsPool) pool.on('error', () => undefined);
  }

  /** A store with a pool of its own, which `close()` ends. */
  static connect(
    config: DatabaseConfig,
    options: Omit<PostgresEventStoreOptions, 'ownsPool'> = {},
  ): PostgresEventStore {
    return new PostgresEventStore(createPool(config), { ...options, ownsPool: true });
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    validateNewEvents(events, MAX_EVENTS_PER_APPEND);
    try {
      return await this.appendChecked(streamId, events, options.expectedRevision);
    } catch (err) {
      if (!(err instanceof DatabaseError && err.code === RESTORED)) throw err;
      // The database was restored under us: open an epoch (positions above everything stored),
      // then write as usual. Nothing was written by the failed attempt.
      await this.identity();
      return this.appendChecked(streamId, events, options.expectedRevision);
    }
  }

  private async appendChecked(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const options = { expectedRevision };
    const payload = JSON.stringify(
      events.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
    );
    // The usual case (new events, expectation met) in one round trip; anything else (a retry, a
    // conflict, a mismatch) changed nothing and takes the checked path below for its answer.
    const appended = await this.track(
      this.appendInOneStatement(streamId, events.length, payload, options.expectedRevision),
    ).catch((err: unknown) => {
      if (isEventIdRace(err)) return null;
      throw err;
    });
    if (appended) return appended;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.track(
          this.appendOnce(streamId, events.length, payload, options.expectedRevision),
        );
      } catch (err) {
        // A concurrent append stored one of our ids first (an identical retry, usually): the next
        // attempt's idempotency check sees its committed rows and answers properly.
        if (isEventIdRace(err) && attempt < MAX_ATTEMPTS) continue;
        if (isEventIdRace(err)) throw new DuplicateEventIdError(conflictingId(err) ?? events[0].id);
        throw err;
      }
    }
  }

  /**
   * Advances the stream and inserts the events in one statement (its own transaction, so one
   * xid: positions stay gap-safe). Null if the expectation did not hold: nothing was written.
   */
  private async appendInOneStatement(
    streamId: string,
    count: number,
    payload: string,
    expected: ExpectedRevision,
  ): Promise<AppendResult | null> {
    const advance = advanceStatement(streamId, BigInt(count), expected);
    const p = advance.params.length + 1;
    const { rows } = await this.pool.query<{ position: string | null; revision: string | null }>({
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

  private async appendOnce(
    streamId: string,
    count: number,
    payload: string,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const client = await this.pool.connect();
    let healthy = true;
    try {
      await client.query('BEGIN');
      const outcome = await this.appendInTransaction(client, streamId, count, payload, expected);
      await client.query(outcome.kind === 'appended' ? 'COMMIT' : 'ROLLBACK');
      return outcome.result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (healthy = false));
      throw err;
    } finally {
      client.release(healthy ? undefined : true);
    }
  }

  private async appendInTransaction(
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

  /** Not held back by the visibility horizon: deciders need the latest committed revision. */
  async readStream(
    streamId: string,
    options: { fromRevision?: bigint } = {},
  ): Promise<RecordedEvent[]> {
    const { rows } = await this.track(
      this.pool.query<EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision`,
        [streamId, (options.fromRevision ?? 0n).toString()],
      ),
    );
    return rows.map(toRecorded);
  }

  async readAll(fromPosition: Position, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const prefixes = options.streamPrefixes?.length ? options.streamPrefixes.map(likePrefix) : null;
    // One statement, so the horizon and the rows come from the same snapshot.
    const { rows } = await this.track(
      this.pool.query<EventRow>(
        `SELECT ${COLUMNS} FROM events
         WHERE position > $1 AND position < ${HORIZON}
           AND ($2::text[] IS NULL OR stream_id LIKE ANY ($2::text[]))
         ORDER BY position
         LIMIT $3`,
        [fromPosition.toString(), prefixes, options.limit ?? null],
      ),
    );
    return rows.map(toRecorded);
  }

  async readAllByStream(upTo: Position, options: ReadByStreamOptions): Promise<RecordedEvent[]> {
    const prefixes = options.streamPrefixes?.length ? options.streamPrefixes.map(likePrefix) : null;
    const params: unknown[] = [upTo.toString(), prefixes, options.limit];
    let range = '';
    if (options.after) {
      params.push(options.after.streamId, options.after.revision.toString());
      // A row comparison, so the (stream_id, revision) unique index serves it as a range scan.
      range += ` AND (stream_id, revision) > ($${params.length - 1}, $${params.length}::bigint)`;
    }
    if (options.before !== undefined) {
      params.push(options.before);
      range += ` AND stream_id < $${params.length}`;
    }
    const columns = options.recordedAtOnly
      ? `position, event_id, stream_id, revision, type, data, metadata ->> 'recordedAt' AS recorded_at`
      : COLUMNS;
    const { rows } = await this.track(
      this.pool.query<EventRow & { recorded_at?: string }>(
        `SELECT ${columns} FROM events
         WHERE position <= $1${range}
           AND ($2::text[] IS NULL OR stream_id LIKE ANY ($2::text[]))
         ORDER BY stream_id, revision
         LIMIT $3`,
        params,
      ),
    );
    if (!options.recordedAtOnly) return rows.map(toRecorded);
    return rows.map((row) => {
      const event = toRecorded(row);
      event.metadata = { recordedAt: row.recorded_at } as EventMetadata;
      return event;
    });
  }

  async *subscribeAll(
    fromPosition: Position,
    options: SubscribeOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    const { signal, streamPrefixes } = options;
    const batchSize = options.batchSize ?? 500;
    const closing = this.closing.signal;
    let position = fromPosition;
    while (!isAborted(signal, closing)) {
      // Read only once the consumer has pulled the whole previous batch: that is the back-pressure.
      let batch: RecordedEvent[];
      try {
        batch = await this.readAll(position, { streamPrefixes, limit: batchSize });
      } catch (err) {
        // A read failing because the store is closing is the end, not a failure.
        if (isAborted(signal, closing)) return;
        throw err;
      }
      for (const event of batch) {
        if (isAborted(signal, closing)) return;
        yield event;
        position = event.position;
      }
      if (batch.length < batchSize) await sleep(this.pollIntervalMs, signal, closing);
    }
  }

  async headPosition(): Promise<Position> {
    const { rows } = await this.track(
      this.pool.query<{ position: string }>(
        `SELECT coalesce(max(position), 0) AS position FROM events WHERE position < ${HORIZON}`,
      ),
    );
    return BigInt(rows[0].position);
  }

  async lastPosition(): Promise<Position> {
    const { rows } = await this.track(
      this.pool.query<{ position: string }>(
        'SELECT coalesce(max(position), 0) AS position FROM events',
      ),
    );
    return BigInt(rows[0].position);
  }

  /**
   * The store's id and epoch; first opens a new epoch if the database was restored (see "Identity
   * and epochs" above). The check is cheap (no lock, no transaction id) when nothing moved.
   */
  async identity(): Promise<StoreIdentity> {
    const [checked] = (await this.track(this.pool.query<EpochCheck & IdentityRow>(EPOCH_CHECK)))
      .rows;
    const row = isRestored(checked) ? await this.track(this.openEpoch()) : checked;
    const epochs =
      row.epoch === 1
        ? []
        : (
            await this.track(
              this.pool.query<{ epoch: number; after_position: string }>(
                'SELECT epoch, after_position FROM event_store_epochs WHERE epoch > 1 ORDER BY epoch',
              ),
            )
          ).rows.map((e) => ({ epoch: e.epoch, after: BigInt(e.after_position) }));
    return { id: row.store_id, epoch: row.epoch, epochs };
  }

  /**
   * Raises the offset so that every transaction still running (xid >= xmin) or to come writes
   * above every stored event, and records where the new epoch starts. One process does it; the
   * others wait for the identity row, then find nothing left to do.
   */
  private async openEpoch(): Promise<IdentityRow> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT 1 FROM event_store FOR UPDATE');
      const [row] = (await client.query<EpochCheck & IdentityRow>(EPOCH_CHECK)).rows;
      if (!isRestored(row)) {
        await client.query('COMMIT');
        return row;
      }
      const head = BigInt(row.head!);
      const offset = head / SLOTS_PER_TRANSACTION + 1n - BigInt(row.xmin);
      const { rows } = await client.query<IdentityRow>(
        `UPDATE event_store SET epoch = epoch + 1, xid_offset = $1 RETURNING store_id, epoch`,
        [offset.toString()],
      );
      await client.query('INSERT INTO event_store_epochs (epoch, after_position) VALUES ($1, $2)', [
        rows[0].epoch,
        head.toString(),
      ]);
      await client.query('COMMIT');
      return rows[0];
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Ends subscriptions (they return) and, if the store owns its pool, the pool. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * Remembers work in progress so that `close()` waits for it: pg-pool's `end()` can strand a
   * query that is just being given a client, leaving it pending for ever.
   */
  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }
}

interface IdentityRow {
  store_id: string;
  epoch: number;
}

interface EpochCheck {
  head: string | null;
  xmin: string;
  xmax: string;
  xid_offset: string;
}

/** The identity, and what `isRestored` needs, in one statement (one snapshot). */
const EPOCH_CHECK = `SELECT store_id, epoch, (SELECT max(position) FROM events)::text AS head,
         pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
         pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, xid_offset::text
  FROM event_store`;

/**
 * Every transaction committed before a snapshot has an xid below its xmax, hence (in one
 * cluster) positions below `(xmax + offset) * 65536`; a visible event at or above that came from
 * another cluster's transaction ids: a restore.
 */
function isRestored(row: EpochCheck): boolean {
  return (
    row.head !== null &&
    BigInt(row.head) >= (BigInt(row.xmax) + BigInt(row.xid_offset)) * SLOTS_PER_TRANSACTION
  );
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

function toRecorded(row: EventRow): RecordedEvent {
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

/** `prefix%` with LIKE's own wildcards (and the escape character) taken literally. */
const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/** A unique violation on event_id, or a deadlock between two appends inserting the same ids. */
function isEventIdRace(err: unknown): err is DatabaseError {
  return (
    err instanceof DatabaseError &&
    ((err.code === UNIQUE_VIOLATION && err.constraint === EVENT_ID_CONSTRAINT) ||
      err.code === DEADLOCK_DETECTED)
  );
}

function conflictingId(err: DatabaseError): string | undefined {
  return /\(event_id\)=\(([^)]+)\)/.exec(err.detail ?? '')?.[1];
}
