import {
  BACKWARDS,
  END,
  FORWARDS,
  EventStoreDBClient,
  NO_STREAM,
  START as ESDB_START,
  WrongExpectedVersionError,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position as EsdbPosition,
} from '@eventstore/db-client';
import {
  AppendResult,
  AppendTooLargeError,
  DuplicateEventIdError,
  EventCopy,
  EventStoreUnavailableError,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  RecordedEvent,
  SqlQueryable,
  StreamRange,
  StoreIdentity,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store';
import { isAborted, sleep, validateNewEvents } from '../internal';
import { copyEventsByReading } from '../event-copy';
import { esdb, isStreamNotFound, translateEsdbError } from './esdb-errors';
import { appendBytes, checkStored, collect, toEventData, toRecorded } from './esdb-events';
import { claimIds, readOrCreateIdentity } from './esdb-identity';
import { readAllFiltered } from './filtered-read';

export { IDENTITY_STREAM, eventIdStream } from './esdb-identity';

export { translateEsdbError } from './esdb-errors';

/*
 * Positions. EventStoreDB orders $all by (commit, prepare) log positions. Events appended over
 * gRPC are written as implicitly committed prepare records, and the server reports each such event
 * at (p, p), p being its own prepare position; explicit multi-record transactions (legacy TCP API
 * only) would share a commit position but still have distinct prepares. So the prepare position
 * is unique per event and increases along $all: it is our bigint `Position`. To resume after p we
 * pass {commit: p, prepare: p} and drop events at or before p, whether the server treats the
 * position as inclusive (reads) or exclusive (subscriptions).
 *
 * Gap-safety is EventStoreDB's own: a single writer assigns log positions at commit, so $all has
 * no late commits below what a reader has already seen.
 */

export interface EventStoreDbEventStoreOptions {
  /** Streams that readAll, subscribeAll and headPosition cover when no prefixes are given. */
  defaultStreamPrefixes?: string[];
  /** First wait before resubscribing after a dropped subscription; doubles up to 5 s. */
  resubscribeDelayMs?: number;
  /**
   * Largest append (events' data and metadata as JSON, bytes) sent to the server; larger ones are
   * refused before sending. EventStoreDB's own default (`MaxAppendSize`) is 1 MiB.
   */
  maxAppendBytes?: number;
  /** Where a dropped subscription is reported (one line per drop, with the back-off). */
  logger?: { error(message: string): void };
}

/** EventStoreDB's default `MaxAppendSize`. */
export const ESDB_MAX_APPEND_BYTES = 1_048_576;

/** Retries of an `any`/`stream_exists` append that lost a race for the stream's revision. */
const MAX_ATTEMPTS = 10;
const MAX_RESUBSCRIBE_DELAY_MS = 5_000;
const at = (position: Position): EsdbPosition => ({ commit: position, prepare: position });

export class EventStoreDbEventStore implements EventStore {
  private readonly defaultPrefixes: string[];
  private readonly resubscribeDelayMs: number;
  private readonly maxAppendBytes: number;
  private readonly logger: { error(message: string): void };
  private readonly closing = new AbortController();
  private identityRead?: Promise<StoreIdentity>;

  /** The client stays the caller's: `close()` disposes it only when the store created it. */
  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.defaultPrefixes = options.defaultStreamPrefixes ?? ['family-'];
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 100;
    this.maxAppendBytes = options.maxAppendBytes ?? ESDB_MAX_APPEND_BYTES;
    this.logger = options.logger ?? { error: () => undefined };
  }

  static connect(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(
      EventStoreDBClient.connectionString(connectionString),
      options,
      true,
    );
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    const expected = options.expectedRevision;
    validateNewEvents(events, Number.MAX_SAFE_INTEGER);
    const bytes = appendBytes(events);
    if (bytes > this.maxAppendBytes) throw new AppendTooLargeError(bytes, this.maxAppendBytes);
    for (let attempt = 1; ; attempt++) {
      // The server's duplicate-id check is a bounded cache that a restart clears, so idempotency
      // is decided here, from the stream itself.
      const stored = await this.readStream(streamId);
      const before = checkStored(events, stored);
      if (before.kind === 'stored') return before.result;
      if (before.kind === 'conflict') throw new DuplicateEventIdError(before.eventId);

      await claimIds(this.client, (stream) => this.readFirst(stream), streamId, events);
      const current = stored.length ? stored[stored.length - 1].revision : 'no_stream';
      if (expected === 'stream_exists' && current === 'no_stream') {
        throw new WrongExpectedRevisionError(streamId, expected, current);
      }
      // Always an explicit revision, so nothing can slip in between the check above and the write.
      const explicit = expected === 'any' || expected === 'stream_exists' ? current : expected;
      try {
        const written = await this.client.appendToStream(streamId, events.map(toEventData), {
          expectedRevision: explicit === 'no_stream' ? NO_STREAM : explicit,
        });
        if (!written.success)
          throw new Error(`stream ${streamId}: the server did not confirm the append`);
        const nextRevision = written.nextExpectedRevision;
        return { nextRevision, position: await this.positionOf(streamId, nextRevision) };
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw translateEsdbError(err);
        // Another writer moved the stream: for `any`/`stream_exists` just go again (re-checking
        // idempotency first); otherwise it may have been an identical retry of ours.
        if (explicit !== expected && attempt < MAX_ATTEMPTS) continue;
        const after = checkStored(events, await this.readStream(streamId));
        if (after.kind === 'stored') return after.result;
        if (after.kind === 'conflict') throw new DuplicateEventIdError(after.eventId);
        throw new WrongExpectedRevisionError(streamId, expected, err.actualVersion);
      }
    }
  }

  /**
   * The append result's log position is that of the whole write, not clearly of its last event,
   * so read the last event back: one more round trip for an exact position.
   */
  private async positionOf(streamId: string, revision: bigint): Promise<Position> {
    const [last] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    if (!last) throw new Error(`stream ${streamId}: revision ${revision} not found after append`);
    return last.position;
  }

  async readStream(
    streamId: string,
    options: { fromRevision?: bigint; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: options.fromRevision ?? ESDB_START,
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read) {
        if (resolved.event) events.push(toRecorded(resolved.event));
      }
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw translateEsdbError(err);
    }
    return events;
  }

  async readAll(fromPosition: Position, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    // Filtered by the server. A read from a position includes the event there, so ask for one
    // more and drop it.
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER - 1;
    const page: AllStreamResolvedEvent[] = await esdb(
      collect(
        readAllFiltered(this.client, {
          prefixes: this.prefixes(options.streamPrefixes),
          direction: FORWARDS,
          fromPosition: fromPosition === 0n ? ESDB_START : at(fromPosition),
          maxCount: limit + 1,
        }),
      ),
    );
    const events: RecordedEvent[] = [];
    for (const { event } of page) {
      if (!event || event.position.prepare <= fromPosition || events.length >= limit) continue;
      events.push(toRecorded(event));
    }
    return events;
  }

  async *subscribeAll(
    fromPosition: Position,
    options: SubscribeOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    const closing = this.closing.signal;
    const prefixes = this.prefixes(options.streamPrefixes);
    let position = fromPosition;
    let delay = this.resubscribeDelayMs;
    while (!isAborted(signal, closing)) {
      const subscription = this.client.subscribeToAll(
        {
          fromPosition: position === 0n ? ESDB_START : at(position),
          filter: streamNameFilter({ prefixes }),
        },
        // The stream buffers about one batch: back-pressure reaches the server through gRPC.
        { highWaterMark: options.batchSize ?? 500 },
      );
      // The client emits errors on the stream itself; without a listener, one arriving after we
      // stopped iterating would be an uncaught 'error' event.
      subscription.on('error', () => undefined);
      const stop = () => {
        void subscription.unsubscribe().catch(() => undefined);
        // Ends the iteration even if the cancelled call does not end the stream by itself.
        subscription.destroy();
      };
      signal?.addEventListener('abort', stop, { once: true });
      closing.addEventListener('abort', stop, { once: true });
      try {
        for await (const resolved of subscription) {
          const event = resolved.event;
          if (!event || event.position.prepare <= position) continue;
          if (isAborted(signal, closing)) return;
          yield toRecorded(event);
          position = event.position.prepare;
          delay = this.resubscribeDelayMs;
        }
      } catch (err) {
        if (isAborted(signal, closing)) return;
        const failure = translateEsdbError(err);
        if (!(failure instanceof EventStoreUnavailableError)) throw failure;
        this.logger.error(
          `event store subscription dropped (${failure.kind}: ${(err as Error).message}); resubscribing in ${delay} ms`,
        );
      } finally {
        signal?.removeEventListener('abort', stop);
        closing.removeEventListener('abort', stop);
        stop();
      }
      // Dropped (or ended by the server): resubscribe from the last delivered position.
      await sleep(delay, signal, closing);
      delay = Math.min(delay * 2, MAX_RESUBSCRIBE_DELAY_MS);
    }
  }

  /** EventStoreDB shows a committed event to readers at once: the last is the visible head. */
  lastPosition(): Promise<Position> {
    return this.headPosition();
  }

  /** One event read backwards from the end of $all, filtered by the server: never a scan here. */
  async headPosition(): Promise<Position> {
    const [last]: AllStreamResolvedEvent[] = await esdb(
      collect(
        readAllFiltered(this.client, {
          prefixes: this.prefixes(undefined),
          direction: BACKWARDS,
          fromPosition: END,
          maxCount: 1,
        }),
      ),
    );
    return last?.event?.position.prepare ?? 0n;
  }

  /** The id of the identity stream's first event (written now if there is none); epoch 1. */
  identity(): Promise<StoreIdentity> {
    this.identityRead ??= readOrCreateIdentity(this.client, (stream) =>
      this.readFirst(stream),
    ).catch((err: unknown) => {
      this.identityRead = undefined;
      throw err;
    });
    return this.identityRead;
  }

  /** Not without reading every event: a rebuild then reports no total. */
  countEvents(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  /** One open range: there is no stream-ordered read to split (no `readAllByStream`). */
  streamRanges(): Promise<StreamRange[]> {
    return Promise.resolve([{}]);
  }

  /** The log is EventStoreDB's, never in a SQL database. */
  sharesDatabaseWith(): Promise<boolean> {
    return Promise.resolve(false);
  }

  copyEvents(db: SqlQueryable, copy: EventCopy): Promise<void> {
    return copyEventsByReading(this, db, copy);
  }

  /** The server keeps no planner statistics. */
  analyze(): Promise<void> {
    return Promise.resolve();
  }

  /** Ends subscriptions and, if the store created the client, disposes of it. */
  async close(): Promise<void> {
    this.closing.abort();
    if (this.ownsClient) await this.client.dispose();
  }

  private async readFirst(streamId: string): Promise<RecordedEvent | undefined> {
    return (await this.readStream(streamId, { maxCount: 1 }))[0];
  }

  private prefixes(streamPrefixes: string[] | undefined): string[] {
    return streamPrefixes?.length ? streamPrefixes : this.defaultPrefixes;
  }
}
