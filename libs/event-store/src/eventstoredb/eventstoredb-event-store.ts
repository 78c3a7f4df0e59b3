import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  BACKWARDS,
  END,
  FORWARDS,
  ErrorType,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START as ESDB_START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  isCommandError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position as EsdbPosition,
} from '@eventstore/db-client';
import {
  AppendResult,
  AppendTooLargeError,
  DuplicateEventIdError,
  EventStoreUnavailableError,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  RecordedEvent,
  StoreIdentity,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store';
import { isAborted, sleep, validateNewEvents } from '../internal';
import { readAllFiltered } from './filtered-read';

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

/** The fields of an EventStoreDB recorded event that we use (its own type is a wide union). */
interface EsdbRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: EsdbPosition;
}

type Verdict =
  | { kind: 'new' }
  | { kind: 'stored'; result: AppendResult }
  | { kind: 'conflict'; eventId: string };

/** Retries of an `any`/`stream_exists` append that lost a race for the stream's revision. */
const MAX_ATTEMPTS = 10;
const MAX_RESUBSCRIBE_DELAY_MS = 5_000;
/**
 * Failures that mean "the server cannot be reached or answer now". Not UNKNOWN: the client maps
 * server refusals (an invalid position, for one) to it, and retrying those would loop for ever.
 */
const UNAVAILABLE = new Set<ErrorType>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

/**
 * The client's errors as the port's: unavailability (worth a retry) as
 * `EventStoreUnavailableError`, the server's append-size refusal as `AppendTooLargeError`;
 * anything else as it came.
 */
export function translateEsdbError(err: unknown): unknown {
  if (!(err instanceof Error) || !isCommandError(err)) return err;
  if (UNAVAILABLE.has(err.type)) return new EventStoreUnavailableError(err.type, err);
  if (err instanceof MaxAppendSizeExceededError) {
    return new AppendTooLargeError(undefined, err.maxAppendSize);
  }
  return err;
}

/** Runs a client call, translating its errors. */
async function esdb<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw translateEsdbError(err);
  }
}

/**
 * The store's identity is the id of the first event of this stream, written once by whichever
 * process asks first. A wiped (or different) server has another; a server restored from a backup
 * keeps it. Not under `family-`: no projection or head read sees it.
 */
export const IDENTITY_STREAM = 'outcomes-store';

/**
 * Where an event id's first stream is recorded (see `claimIds`). Not `$`-prefixed (system streams
 * need admin rights) and not under `family-`: no projection or head read sees it.
 */
export const eventIdStream = (eventId: string): string =>
  `outcomes-event-id-${eventId.toLowerCase()}`;

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

      await this.claimIds(streamId, events);
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
   * Claims each event id for this stream before the events are written: EventStoreDB dedupes ids
   * only within a stream (and only while its cache holds them), so an id's first stream is
   * recorded in a stream of its own, created with `NO_STREAM`. The server lets one creation of a
   * stream win, so of two appends using one id on different streams, concurrent or not, exactly one
   * gets the claim; the other is refused as the PostgreSQL store refuses it. A claim already naming
   * this stream is a retry (or a write that crashed after claiming) and passes. A claim is never
   * released: an id whose append then failed (a revision conflict) stays this stream's.
   */
  private async claimIds(streamId: string, events: NewEvent[]): Promise<void> {
    await Promise.all(
      events.map(async ({ id }) => {
        const claim = eventIdStream(id);
        try {
          const written = await this.client.appendToStream(
            claim,
            jsonEvent({ id: randomUUID(), type: 'EventIdClaimed', data: { streamId } }),
            { expectedRevision: NO_STREAM },
          );
          if (!written.success) throw new Error(`${claim}: the server did not confirm the claim`);
        } catch (err) {
          if (!(err instanceof WrongExpectedVersionError)) throw translateEsdbError(err);
          const [first] = await this.readStream(claim, { maxCount: 1 });
          if (first?.data.streamId !== streamId) throw new DuplicateEventIdError(id);
        }
      }),
    );
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
    this.identityRead ??= this.readOrCreateIdentity().catch((err: unknown) => {
      this.identityRead = undefined;
      throw err;
    });
    return this.identityRead;
  }

  private async readOrCreateIdentity(): Promise<StoreIdentity> {
    for (;;) {
      const [first] = await this.readStream(IDENTITY_STREAM, { maxCount: 1 });
      if (first) return { id: first.id, epoch: 1, epochs: [] };
      const created = jsonEvent({
        id: randomUUID(),
        type: 'EventStoreCreated',
        data: { createdAt: new Date().toISOString() },
      });
      try {
        await esdb(
          this.client.appendToStream(IDENTITY_STREAM, created, { expectedRevision: NO_STREAM }),
        );
      } catch (err) {
        // Another process wrote it first: read theirs.
        if (!(err instanceof WrongExpectedVersionError)) throw err;
      }
    }
  }

  /** Ends subscriptions and, if the store created the client, disposes of it. */
  async close(): Promise<void> {
    this.closing.abort();
    if (this.ownsClient) await this.client.dispose();
  }

  private prefixes(streamPrefixes: string[] | undefined): string[] {
    return streamPrefixes?.length ? streamPrefixes : this.defaultPrefixes;
  }
}

/** What an append sends, near enough: each event's type, data and metadata as JSON. */
function appendBytes(events: readonly NewEvent[]): number {
  let bytes = 0;
  for (const e of events) {
    bytes += Buffer.byteLength(e.type) + Buffer.byteLength(JSON.stringify(e.data));
    bytes += Buffer.byteLength(JSON.stringify(e.metadata));
  }
  return bytes;
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

function isStreamNotFound(err: unknown): boolean {
  return (
    err instanceof StreamNotFoundError ||
    (err instanceof Error && isCommandError(err) && err.type === ErrorType.STREAM_NOT_FOUND)
  );
}

/** Our metadata as is, plus EventStoreDB's own correlation keys for its system projections. */
function toEventData(event: NewEvent) {
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

function toRecorded(event: EsdbRecordedEvent): RecordedEvent {
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
function checkStored(events: NewEvent[], stored: RecordedEvent[]): Verdict {
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
