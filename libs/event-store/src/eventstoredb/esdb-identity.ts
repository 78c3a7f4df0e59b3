/* The EventStoreDB adapter's identity stream, and its claims that make event ids unique. */
import { randomUUID } from 'node:crypto';
import {
  EventStoreDBClient,
  NO_STREAM,
  WrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import { DuplicateEventIdError, NewEvent, RecordedEvent, StoreIdentity } from '../event-store';
import { esdb, translateEsdbError } from './esdb-errors';

/** The first event of a stream, if any. */
type ReadFirst = (streamId: string) => Promise<RecordedEvent | undefined>;

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

/**
 * Claims each event id for this stream before the events are written: EventStoreDB dedupes ids
 * only within a stream (and only while its cache holds them), so an id's first stream is
 * recorded in a stream of its own, created with `NO_STREAM`. The server lets one creation of a
 * stream win, so of two appends using one id on different streams, concurrent or not, exactly one
 * gets the claim; the other is refused as the PostgreSQL store refuses it. A claim already naming
 * this stream is a retry (or a write that crashed after claiming) and passes. A claim is never
 * released: an id whose append then failed (a revision conflict) stays this stream's.
 */
export async function claimIds(
  client: EventStoreDBClient,
  readFirst: ReadFirst,
  streamId: string,
  events: NewEvent[],
): Promise<void> {
  await Promise.all(
    events.map(async ({ id }) => {
      const claim = eventIdStream(id);
      try {
        const written = await client.appendToStream(
          claim,
          jsonEvent({ id: randomUUID(), type: 'EventIdClaimed', data: { streamId } }),
          { expectedRevision: NO_STREAM },
        );
        if (!written.success) throw new Error(`${claim}: the server did not confirm the claim`);
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw translateEsdbError(err);
        const first = await readFirst(claim);
        if (first?.data.streamId !== streamId) throw new DuplicateEventIdError(id);
      }
    }),
  );
}

/** The id of the identity stream's first event, written now if there is none; epoch 1. */
export async function readOrCreateIdentity(
  client: EventStoreDBClient,
  readFirst: ReadFirst,
): Promise<StoreIdentity> {
  for (;;) {
    const first = await readFirst(IDENTITY_STREAM);
    if (first) return { id: first.id, epoch: 1, epochs: [] };
    const created = jsonEvent({
      id: randomUUID(),
      type: 'EventStoreCreated',
      data: { createdAt: new Date().toISOString() },
    });
    try {
      await esdb(client.appendToStream(IDENTITY_STREAM, created, { expectedRevision: NO_STREAM }));
    } catch (err) {
      // Another process wrote it first: read theirs.
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
  }
}
