import { DatabaseError, Pool } from 'pg';
import { copyEventsByReading, copyEventsInSql, likePatterns } from '../event-copy';
import {
  AppendResult,
  DuplicateEventIdError,
  EventCopy,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadByStreamOptions,
  RecordedEvent,
  SqlQueryable,
  StoreIdentity,
  StreamRange,
  SubscribeOptions,
} from '../event-store';
import { isAborted, sleep, validateNewEvents } from '../internal';
import {
  MAX_ATTEMPTS,
  MAX_EVENTS_PER_APPEND,
  appendInOneStatement,
  appendOnce,
  conflictingId,
  isEventIdRace,
} from './append';
import { DatabaseConfig, createPool } from './database';
import { COLUMNS, EventRow, toRecorded } from './rows';
import {
  EPOCH_CHECK,
  EpochCheck,
  HORIZON,
  IdentityRow,
  RESTORED,
  isRestored,
  openEpoch,
} from './positions';

export interface PostgresEventStoreOptions {
  /** How long a caught-up subscriber waits before reading again; default 50. */
  pollIntervalMs?: number;
  /** Whether `close()` ends the pool (the store's own); default false: the pool is the caller's. */
  ownsPool?: boolean;
}

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
      appendInOneStatement(this.pool, streamId, events.length, payload, options.expectedRevision),
    ).catch((err: unknown) => {
      if (isEventIdRace(err)) return null;
      throw err;
    });
    if (appended) return appended;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.track(
          appendOnce(this.pool, streamId, events.length, payload, options.expectedRevision),
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
    const prefixes = likePatterns(options.streamPrefixes);
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
    const prefixes = likePatterns(options.streamPrefixes);
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

  async countEvents(upTo: Position, options: { streamPrefixes?: string[] } = {}): Promise<number> {
    const { rows } = await this.track(
      this.pool.query<{ n: string }>(
        `SELECT count(*)::bigint AS n FROM events WHERE position <= $1
           AND ($2::text[] IS NULL OR stream_id LIKE ANY ($2::text[]))`,
        [upTo.toString(), likePatterns(options.streamPrefixes)],
      ),
    );
    return Number(rows[0].n);
  }

  /** Cut at stream ids of the streams table, by percentile: about as many streams in each. */
  async streamRanges(
    n: number,
    options: { streamPrefixes?: string[] } = {},
  ): Promise<StreamRange[]> {
    const fractions = Array.from({ length: Math.max(1, n) - 1 }, (_, i) => (i + 1) / n);
    const { rows } = await this.track(
      this.pool.query<{ cuts: (string | null)[] | null }>(
        `SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY stream_id) AS cuts
         FROM streams
         WHERE $2::text[] IS NULL OR stream_id LIKE ANY ($2::text[])`,
        [fractions, likePatterns(options.streamPrefixes)],
      ),
    );
    const bounds = [...new Set((rows[0].cuts ?? []).filter((c): c is string => c !== null))];
    return Array.from({ length: bounds.length + 1 }, (_, i) => ({
      ...(i > 0 ? { from: bounds[i - 1] } : {}),
      ...(i < bounds.length ? { before: bounds[i] } : {}),
    }));
  }

  async sharesDatabaseWith(db: SqlQueryable): Promise<boolean> {
    const here = await this.logIn(db);
    return here.found && here.sameSchema;
  }

  async copyEvents(db: SqlQueryable, copy: EventCopy): Promise<void> {
    // The log's table by its schema-qualified name: the connection's search path may be another's.
    const here = await this.logIn(db);
    if (!here.found) return copyEventsByReading(this, db, copy);
    await copyEventsInSql(db, here.log, copy);
  }

  /** Whether the connection reaches the log's table (same database), and from the same schema. */
  private async logIn(
    db: SqlQueryable,
  ): Promise<{ log: string; found: boolean; sameSchema: boolean }> {
    const [mine] = (await this.track(this.pool.query<Place>(PLACE))).rows;
    const [theirs] = (await db.query(`${PLACE}, to_regclass($1) IS NOT NULL AS found`, [
      mine.log,
    ])) as (Place & { found: boolean })[];
    return {
      log: mine.log,
      found: theirs.database === mine.database && theirs.found,
      sameSchema: theirs.log === mine.log,
    };
  }

  async analyze(): Promise<void> {
    await this.track(this.pool.query('ANALYZE events'));
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
    const row = isRestored(checked) ? await this.track(openEpoch(this.pool)) : checked;
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

/** Where a connection is: its database, and the log's table as its schema would name it. */
interface Place {
  database: string;
  log: string;
}
const PLACE = `SELECT current_database() AS database, quote_ident(current_schema()) || '.events' AS log`;
