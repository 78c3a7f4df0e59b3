/**
 * The event store port. Events are plain `{ type, data, metadata }` objects with stable string
 * types; adapters (PostgreSQL, EventStoreDB) live beside this file and pass the same contract suite.
 */

/** A position in the global log. Totally ordered, unique per event, not necessarily contiguous. */
export type Position = bigint;

/** Revision of the last event in a stream (0-based), or one of the expectations below. */
export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface EventMetadata {
  /** System time at which the event was recorded (ISO 8601). */
  recordedAt: string;
  actor: string;
  authority: string;
  correlationId: string;
  causationId?: string;
  schemaVersion: number;
  [key: string]: unknown;
}

/** An event to append: the caller supplies the id (a UUID), which makes retries safe. */
export interface NewEvent<T extends string = string, D extends object = Record<string, unknown>> {
  id: string;
  type: T;
  data: D;
  metadata: EventMetadata;
}

export interface RecordedEvent<
  T extends string = string,
  D extends object = Record<string, unknown>,
> extends NewEvent<T, D> {
  streamId: string;
  revision: bigint;
  position: Position;
}

export interface AppendResult {
  /** Revision of the last event written (or, on an idempotent retry, originally written). */
  nextRevision: bigint;
  /** Position of the last event written. */
  position: Position;
}

export interface ReadAllOptions {
  /** Only streams whose id starts with one of these prefixes (e.g. `family-`). */
  streamPrefixes?: string[];
  limit?: number;
}

/** Where a stream-ordered read stopped: the last event returned. */
export interface StreamCursor {
  streamId: string;
  revision: bigint;
}

export interface ReadByStreamOptions {
  /** Start after this event (exclusive); from the first stream when absent. */
  after?: StreamCursor;
  /** Stop before this stream (exclusive), so a replay can be split by stream-id range. */
  before?: string;
  /**
   * Only `recordedAt` of each event's metadata, the rest left out: all a rebuild's replay reads,
   * at about half the decoding cost. Default false.
   */
  recordedAtOnly?: boolean;
  streamPrefixes?: string[];
  limit: number;
}

/** Streams in `[from, before)`; an absent bound is open. */
export interface StreamRange {
  from?: string;
  before?: string;
}

/** What a statement needs of a database connection (a TypeORM `DataSource` or `EntityManager`). */
export interface SqlQueryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * A column filled by `copyEvents`, from one part of each event; `as` casts it to the column's
 * type (SQL), and names which one it is. `streamIdAfter` takes the stream id without that prefix.
 */
export type EventColumnSource = (
  | { field: 'position' | 'id' | 'streamId' | 'revision' | 'type' | 'data' | 'metadata' }
  | { streamIdAfter: string }
  | { data: string }
  | { metadata: string }
) & { as?: 'uuid' | 'timestamptz' | 'text' | 'bigint' };

/** A table filled with one row per event (in the order of `columns`, the table's own order). */
export interface EventCopy {
  /** The table, as the connection given resolves it (its search path). */
  table: string;
  columns: readonly { name: string; from: EventColumnSource }[];
  /** Events at or below this position (one a subscriber has seen, e.g. `headPosition()`). */
  upTo: Position;
  streamPrefixes?: string[];
}

export interface SubscribeOptions {
  streamPrefixes?: string[];
  /** How many events to fetch per read; the iterator reads again only when the consumer asks. */
  batchSize?: number;
  /** Ends the iteration (the iterator returns) when aborted. */
  signal?: AbortSignal;
}

/**
 * Which store, and which stretch of its history, positions belong to. A checkpoint is only
 * meaningful for the store (and history) it was taken from: see `checkpointVerdict` in
 * @app/projections.
 */
export interface StoreIdentity {
  /** PostgreSQL: a random id written with the schema; EventStoreDB: the id of its first event. */
  id: string;
  /** Moves on when a restore is detected (PostgreSQL); always 1 on EventStoreDB. */
  epoch: number;
  /**
   * Where each epoch after the first began: every event of an earlier epoch is at or below
   * `after`. Events above it belong to that epoch's history only.
   */
  epochs: { epoch: number; after: Position }[];
}

export interface EventStore {
  /**
   * Appends atomically. Throws `WrongExpectedRevisionError` on a revision conflict and
   * `DuplicateEventIdError` when an id is already used by a different event. Re-appending events
   * whose ids (and bodies) are all already stored returns the original result and writes nothing.
   */
  append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Events of one stream in revision order; an empty array for a stream that does not exist. */
  readStream(streamId: string, options?: { fromRevision?: bigint }): Promise<RecordedEvent[]>;

  /** Events after `fromPosition` (exclusive) in position order, only ones no earlier commit can precede. */
  readAll(fromPosition: Position, options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Catch-up subscription from `fromPosition` (exclusive): yields every event exactly once, in
   * position order, then waits for new ones. Back-pressure: nothing is read ahead of the consumer
   * by more than one batch.
   */
  subscribeAll(fromPosition: Position, options?: SubscribeOptions): AsyncIterable<RecordedEvent>;

  /**
   * Optional (rebuilds use it when present): events at or below `upTo` in stream-id then revision
   * order, a page at a time. `upTo` must be a position a subscriber has seen (e.g.
   * `headPosition()`), so nothing at or below it can still commit. Replaying stream by stream lets
   * a per-stream projection write each stream's rows once instead of once per batch it spans.
   */
  readAllByStream?(upTo: Position, options: ReadByStreamOptions): Promise<RecordedEvent[]>;

  /**
   * How many events are at or below `upTo` (a position a subscriber has seen) in the streams with
   * these prefixes; undefined where the store cannot tell without reading them all (EventStoreDB).
   */
  countEvents(upTo: Position, options?: { streamPrefixes?: string[] }): Promise<number | undefined>;

  /**
   * At most `n` stream-id ranges, in order, that together hold every stream (with these prefixes)
   * once, with about as many streams each, for a replay split between threads. A store that
   * cannot cut its streams cheaply answers one open range.
   */
  streamRanges(n: number, options?: { streamPrefixes?: string[] }): Promise<StreamRange[]>;

  /**
   * Whether the log is in the database and schema `db` is connected to (PostgreSQL with the read
   * models beside it): `copyEvents` into it is then one statement, and a replay worker may open
   * the store with the database's own connection settings.
   */
  sharesDatabaseWith(db: SqlQueryable): Promise<boolean>;

  /**
   * Inserts one row per event at or below `copy.upTo` (of `copy.streamPrefixes`) into
   * `copy.table` through `db`: in one set-based statement where the log shares the database
   * (`sharesDatabaseWith`), the payloads never leaving it; otherwise by reading the events and
   * inserting them in batches. The rows are the same either way.
   */
  copyEvents(db: SqlQueryable, copy: EventCopy): Promise<void>;

  /**
   * Refreshes the statistics the store's database plans its reads with, after a bulk load
   * (PostgreSQL: ANALYZE of the log); nothing where the store keeps none.
   */
  analyze(): Promise<void>;

  /** Position of the latest event that a subscriber can see now (0n when empty). */
  headPosition(): Promise<Position>;

  /**
   * Position of the latest event committed (0n when empty): every append that has returned is at
   * or below it. To wait until read models reflect everything written so far, wait for this, not
   * for `headPosition()`, which an older transaction still open can hold back (PostgreSQL).
   */
  lastPosition(): Promise<Position>;

  /**
   * The store's identity. On PostgreSQL this also notices a logical restore (transaction ids
   * restarted below the stored positions) and opens a new epoch, so positions keep rising.
   */
  identity(): Promise<StoreIdentity>;

  close(): Promise<void>;
}

export const START: Position = 0n;

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already used by a different event`);
  }
}

/**
 * The event store cannot be reached now (down, restarting, no leader, timed out): worth a retry
 * later, never a bug of the caller's. The API answers 503 with `Retry-After`.
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(
    /** A short, stable name of the failure (e.g. `unavailable`, `deadline-exceeded`). */
    readonly kind: string,
    override readonly cause: unknown,
  ) {
    super(
      `event store unavailable (${kind}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** An append larger than the store accepts in one write; nothing was sent. The API answers 413. */
export class AppendTooLargeError extends Error {
  override readonly name = 'AppendTooLargeError';
  constructor(
    /** The append's size, when known (the server's refusal does not say). */
    readonly bytes: number | undefined,
    readonly limitBytes: number,
  ) {
    super(
      `append${bytes === undefined ? '' : ` of ${bytes} bytes`} exceeds the event store's limit of ${limitBytes} bytes per append`,
    );
  }
}
