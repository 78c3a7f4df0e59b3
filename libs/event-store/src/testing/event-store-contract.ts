import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  DuplicateEventIdError,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  RecordedEvent,
  START,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store';

export interface EventStoreFixture {
  store: EventStore;
  teardown: () => Promise<void>;
  /**
   * How many events the store has fetched from its database so far, if the fixture can tell. The
   * back-pressure test uses it to check that a slow consumer does not cause unbounded reads.
   */
  eventsFetched?: () => Promise<number>;
}

type DescribeFn = (name: string, fn: () => void) => void;

// Helpers for contract tests; exported so adapter-specific tests can build on them.

export function testMetadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    recordedAt: new Date().toISOString(),
    actor: 'user:contract-test',
    authority: 'authority:test',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
    ...overrides,
  };
}

export function testEvent(
  type = 'ContractTested',
  data: Record<string, unknown> = { nonce: randomUUID() },
): NewEvent {
  return { id: randomUUID(), type, data, metadata: testMetadata() };
}

/** A fresh stream-id prefix; a test's streams all start with it, so filters isolate the test. */
export const testStreamBase = (): string => `family-${randomUUID()}`;

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Re-runs `read` until `done` holds (readers may lag until concurrent transactions finish). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first `count` events of a subscription, or fewer if `timeoutMs` passes first. */
export async function take(
  store: EventStore,
  from: Position,
  count: number,
  options: Omit<SubscribeOptions, 'signal'> = {},
  timeoutMs = 5_000,
): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: RecordedEvent[] = [];
  try {
    for await (const event of store.subscribeAll(from, { ...options, signal: controller.signal })) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

const ids = (events: { id: string }[]) => events.map((e) => e.id);
const positions = (events: RecordedEvent[]) => events.map((e) => e.position);

function expectStrictlyIncreasing(values: bigint[]): void {
  for (let i = 1; i < values.length; i++) {
    if (values[i] <= values[i - 1]) {
      throw new Error(`not strictly increasing at ${i}: ${values[i - 1]} then ${values[i]}`);
    }
  }
}

/**
 * The behaviour every EventStore adapter must have. `setup` runs once for the block; tests keep
 * to their own streams (random `family-<uuid>` prefixes), so they do not depend on each other.
 */
export function describeEventStoreContract(
  name: string,
  setup: () => Promise<EventStoreFixture>,
  describeFn: DescribeFn = describe,
): void {
  describeFn(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });

    afterAll(async () => {
      await fixture?.teardown();
    });

    const readAllOf = (base: string, from: Position = START) =>
      store.readAll(from, { streamPrefixes: [base] });

    const visible = (base: string, count: number, from: Position = START) =>
      eventually(
        () => readAllOf(base, from),
        (r) => r.length >= count,
        `${count} events`,
      );

    describe('append and readStream', () => {
      it('round-trips types, data and metadata with revisions 0..n and increasing positions', async () => {
        const stream = testStreamBase();
        const first = [
          testEvent('FamilyReferred', { familyId: stream, members: [{ role: 'parent' }], n: 1.5 }),
          testEvent('NeedsAssessed', { needs: ['housing', 'debt'], flags: { urgent: true } }),
          testEvent('SupportStarted', { at: '2024-05-01', note: 'ünïcødé ✓', empty: {} }),
        ];
        const r1 = await store.append(stream, first, { expectedRevision: 'no_stream' });
        expect(r1.nextRevision).toBe(2n);

        const second = [testEvent('SupportEnded'), testEvent('FollowUpDue')];
        const r2 = await store.append(stream, second, { expectedRevision: 2n });
        expect(r2.nextRevision).toBe(4n);
        expect(r2.position).toBeGreaterThan(r1.position);

        const read = await store.readStream(stream);
        expect(read).toHaveLength(5);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expectStrictlyIncreasing(positions(read));
        expect(read[2].position).toBe(r1.position);
        expect(read[4].position).toBe(r2.position);
        [...first, ...second].forEach((sent, i) => {
          expect(read[i]).toEqual({
            ...sent,
            streamId: stream,
            revision: BigInt(i),
            position: read[i].position,
          });
        });

        const tail = await store.readStream(stream, { fromRevision: 3n });
        expect(ids(tail)).toEqual(ids(second));
      });

      it('reads a stream that does not exist as []', async () => {
        expect(await store.readStream(testStreamBase())).toEqual([]);
      });

      it('rejects an empty append', async () => {
        const err = await rejection(
          store.append(testStreamBase(), [], { expectedRevision: 'any' }),
        );
        expect(err).toBeInstanceOf(RangeError);
      });

      it('appends with any and stream_exists', async () => {
        const stream = testStreamBase();
        expect(
          (await store.append(stream, [testEvent()], { expectedRevision: 'any' })).nextRevision,
        ).toBe(0n);
        expect(
          (await store.append(stream, [testEvent()], { expectedRevision: 'any' })).nextRevision,
        ).toBe(1n);
        const r = await store.append(stream, [testEvent(), testEvent()], {
          expectedRevision: 'stream_exists',
        });
        expect(r.nextRevision).toBe(3n);
        expect(await store.readStream(stream)).toHaveLength(4);
      });
    });

    describe('optimistic concurrency', () => {
      const conflict = async (
        stream: string,
        expectedRevision: ExpectedRevision,
        actual: bigint | 'no_stream',
      ) => {
        const err = await rejection(store.append(stream, [testEvent()], { expectedRevision }));
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ streamId: stream, expected: expectedRevision, actual });
      };

      it('rejects a wrong expected revision, reporting the actual one, and writes nothing', async () => {
        const stream = testStreamBase();
        await store.append(stream, [testEvent(), testEvent()], { expectedRevision: 'no_stream' });
        await conflict(stream, 0n, 1n);
        await conflict(stream, 5n, 1n);
        await conflict(stream, 'no_stream', 1n);
        expect(await store.readStream(stream)).toHaveLength(2);

        const missing = testStreamBase();
        await conflict(missing, 0n, 'no_stream');
        await conflict(missing, 'stream_exists', 'no_stream');
        expect(await store.readStream(missing)).toEqual([]);
        expect(await readAllOf(missing)).toEqual([]);
      });

      it('lets exactly one of several concurrent no_stream appends win', async () => {
        const stream = testStreamBase();
        const attempts = await Promise.allSettled(
          Array.from({ length: 8 }, () =>
            store.append(stream, [testEvent()], { expectedRevision: 'no_stream' }),
          ),
        );
        const won = attempts.filter((a) => a.status === 'fulfilled');
        const lost = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(7);
        for (const err of lost) {
          expect(err).toBeInstanceOf(WrongExpectedRevisionError);
          expect(err).toMatchObject({ actual: 0n });
        }
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotency', () => {
      it('answers a retry of the same ids and bodies with the original result, writing nothing', async () => {
        const base = testStreamBase();
        const events = [testEvent('A', { x: 1, y: [1, 2] }), testEvent('B', { z: 'z' })];
        const original = await store.append(base, events, { expectedRevision: 'no_stream' });
        const later = await store.append(base, [testEvent()], { expectedRevision: 1n });

        // Same ids and bodies, fresh metadata (a retry re-stamps recordedAt), keys reordered.
        const retry = events.map((e) => ({
          ...e,
          data: Object.fromEntries(Object.entries(e.data).reverse()),
          metadata: testMetadata({ recordedAt: new Date(Date.now() + 60_000).toISOString() }),
        }));
        for (const expectedRevision of ['no_stream', 'any', 1n, 'stream_exists'] as const) {
          expect(await store.append(base, retry, { expectedRevision })).toEqual(original);
        }
        expect(await store.append(base, [events[0]], { expectedRevision: 'any' })).toEqual({
          nextRevision: 0n,
          position: (await store.readStream(base))[0].position,
        });

        const stored = await store.readStream(base);
        expect(ids(stored)).toEqual([...ids(events), expect.any(String)]);
        expect(stored[0].metadata).toEqual(events[0].metadata);
        const all = await visible(base, 3);
        expect(all).toHaveLength(3);
        expect(all[2].position).toBe(later.position);
      });

      it('resolves concurrent identical appends to one write and one result', async () => {
        for (const expectedRevision of ['no_stream', 'any'] as const) {
          const stream = testStreamBase();
          const events = [testEvent(), testEvent(), testEvent()];
          const results = await Promise.all(
            Array.from({ length: 6 }, () => store.append(stream, events, { expectedRevision })),
          );
          for (const r of results) expect(r).toEqual(results[0]);
          expect(results[0].nextRevision).toBe(2n);
          expect(ids(await store.readStream(stream))).toEqual(ids(events));
        }
      });

      it('rejects an id already used by a different event, writing nothing', async () => {
        const base = testStreamBase();
        const stream = `${base}-a`;
        const event = testEvent('A', { v: 1 });
        await store.append(stream, [event], { expectedRevision: 'no_stream' });

        const fresh = testEvent();
        const variants: NewEvent[][] = [
          [{ ...event, data: { v: 2 } }],
          [{ ...event, type: 'B' }],
          [{ ...event, data: { v: 1, extra: true } }],
          [fresh, event], // partly stored: not a retry of one append
        ];
        for (const batch of variants) {
          const err = await rejection(store.append(stream, batch, { expectedRevision: 'any' }));
          expect(err).toBeInstanceOf(DuplicateEventIdError);
          expect(err).toMatchObject({ eventId: event.id });
        }
        const sameBatch = await rejection(
          store.append(stream, [fresh, { ...fresh }], { expectedRevision: 'any' }),
        );
        expect(sameBatch).toBeInstanceOf(DuplicateEventIdError);

        expect(ids(await store.readStream(stream))).toEqual([event.id]);
        expect(ids(await visible(base, 1))).toEqual([event.id]);
      });
      it('rejects an id used on another stream, also by a concurrent append, writing nothing there', async () => {
        const event = testEvent();
        const first = testStreamBase();
        const original = await store.append(first, [event], { expectedRevision: 'no_stream' });
        const other = testStreamBase();
        for (const batch of [[event], [testEvent(), event], [{ ...event, data: { v: 2 } }]]) {
          const err = await rejection(store.append(other, batch, { expectedRevision: 'any' }));
          expect(err).toBeInstanceOf(DuplicateEventIdError);
          expect(err).toMatchObject({ eventId: event.id });
        }
        expect(await store.readStream(other)).toEqual([]);
        // The refusal did not take the id from its stream: a retry there is still the original.
        expect(await store.append(first, [event], { expectedRevision: 'any' })).toEqual(original);

        const shared = testEvent();
        const streams = [testStreamBase(), testStreamBase(), testStreamBase()];
        const outcomes = await Promise.allSettled(
          streams.map((s) => store.append(s, [shared], { expectedRevision: 'any' })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const o of outcomes) {
          if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateEventIdError);
        }
        const written = await Promise.all(streams.map((s) => store.readStream(s)));
        expect(written.flat().map((e) => e.id)).toEqual([shared.id]);
      });
    });

    describe('head', () => {
      it('is the position of the last event a reader sees, not of bookkeeping written after it', async () => {
        const event = testEvent();
        const appended = await store.append(testStreamBase(), [testEvent(), event], {
          expectedRevision: 'no_stream',
        });
        // Bookkeeping an adapter may write outside the streams readers see (EventStoreDB: the
        // identity stream, id claims, refused or not).
        await store.identity();
        await rejection(store.append(testStreamBase(), [event], { expectedRevision: 'any' }));
        const head = await eventually(
          () => store.headPosition(),
          (p) => p >= appended.position,
          'the head to reach the append',
        );
        const last = await store.lastPosition();
        expect(last).toBeGreaterThanOrEqual(head);
        const seen = await store.readAll(appended.position - 1n);
        expect(seen.map((e) => e.position)).toContain(head);
      });
    });

    describe('readAll', () => {
      it('filters by stream prefix (taken literally) and honours limit', async () => {
        const base = testStreamBase();
        const appended: AppendResult[] = [];
        for (const suffix of ['-a', '-b', '%c', '_d', '-a']) {
          appended.push(
            await store.append(`${base}${suffix}`, [testEvent()], { expectedRevision: 'any' }),
          );
        }
        const all = await visible(base, 5);
        expect(all).toHaveLength(5);
        expect(positions(all)).toEqual(appended.map((r) => r.position));

        expect((await store.readAll(START, { streamPrefixes: [`${base}-`] })).length).toBe(3);
        const literal = await store.readAll(START, { streamPrefixes: [`${base}%`, `${base}_`] });
        expect(literal.map((e) => e.streamId)).toEqual([`${base}%c`, `${base}_d`]);

        const limited = await store.readAll(START, { streamPrefixes: [base], limit: 2 });
        expect(ids(limited)).toEqual(ids(all.slice(0, 2)));
        const after = await store.readAll(all[1].position, { streamPrefixes: [base], limit: 2 });
        expect(ids(after)).toEqual(ids(all.slice(2, 4)));
        expect(await store.headPosition()).toBeGreaterThanOrEqual(all[4].position);
        expect(await store.lastPosition()).toBeGreaterThanOrEqual(all[4].position);
      });
    });

    describe('subscribeAll', () => {
      it('delivers every event of concurrent writers exactly once, in position order, as readAll does', async () => {
        const base = testStreamBase();
        const shared = `${base}-shared`;
        const from = await store.headPosition();
        const controller = new AbortController();
        const seen: RecordedEvent[] = [];
        // Started before any writer.
        const subscriber = (async () => {
          const subscription = store.subscribeAll(from, {
            streamPrefixes: [base],
            batchSize: 50,
            signal: controller.signal,
          });
          for await (const event of subscription) seen.push(event);
        })();

        const committed: NewEvent[] = [];
        const appendShared = async (events: NewEvent[]) => {
          for (;;) {
            const current = await store.readStream(shared);
            const expectedRevision = current.length
              ? current[current.length - 1].revision
              : 'no_stream';
            try {
              return await store.append(shared, events, { expectedRevision });
            } catch (err) {
              if (!(err instanceof WrongExpectedRevisionError)) throw err;
            }
          }
        };
        const writer = async (w: number) => {
          const own = `${base}-w${w}`;
          let revision: ExpectedRevision = 'no_stream';
          for (let i = 0; i < 25; i++) {
            if (i % 6 === 5) {
              const events = [testEvent('SharedTested', { w, i })];
              await appendShared(events);
              committed.push(...events);
              continue;
            }
            const events = Array.from({ length: i % 4 === 0 ? 3 : 1 }, (_, k) =>
              testEvent('Tested', { w, i, k }),
            );
            const expectedRevision: ExpectedRevision = revision;
            const result = await store.append(own, events, { expectedRevision });
            committed.push(...events);
            if (i % 7 === 3) {
              // A client retrying after a lost reply: same call, same answer, nothing written.
              expect(await store.append(own, events, { expectedRevision })).toEqual(result);
            }
            revision = result.nextRevision;
          }
        };
        await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));

        const wanted = new Set(ids(committed));
        await eventually(
          async () => seen.length,
          (n) => n >= wanted.size,
          `the subscriber to see ${wanted.size} events`,
          15_000,
        );
        // Give a duplicate or a straggler the chance to show up before stopping.
        await new Promise((resolve) => setTimeout(resolve, 200));
        controller.abort();
        await subscriber;

        expect(seen).toHaveLength(wanted.size);
        expect(new Set(ids(seen))).toEqual(wanted);
        expectStrictlyIncreasing(positions(seen));
        const all = await store.readAll(from, { streamPrefixes: [base] });
        expect(all).toEqual(seen);
        for (const stream of new Set(seen.map((e) => e.streamId))) {
          const revisions = (await store.readStream(stream)).map((e) => e.revision);
          expect(revisions).toEqual(revisions.map((_, i) => BigInt(i)));
        }
      }, 30_000);

      it('resumes after a checkpoint with exactly the events that follow it', async () => {
        const base = testStreamBase();
        for (const [suffix, n] of [
          ['-a', 3],
          ['-b', 2],
          ['-a', 1],
          ['-c', 4],
        ] as const) {
          const events = Array.from({ length: n }, () => testEvent());
          await store.append(`${base}${suffix}`, events, { expectedRevision: 'any' });
        }
        const all = await visible(base, 10);
        for (const k of [0, 1, 4, 9]) {
          const checkpoint = k === 0 ? START : all[k - 1].position;
          const rest = await take(store, checkpoint, 10 - k, {
            streamPrefixes: [base],
            batchSize: 3,
          });
          expect(ids(rest)).toEqual(ids(all.slice(k)));
        }
        // Nothing after the last one.
        expect(await take(store, all[9].position, 1, { streamPrefixes: [base] }, 300)).toEqual([]);
      });

      it('reads no more than a batch ahead of a consumer that pulls slowly', async () => {
        const base = testStreamBase();
        for (let i = 0; i < 6; i++) {
          const events = Array.from({ length: 5 }, () => testEvent());
          await store.append(`${base}-a`, events, { expectedRevision: 'any' });
        }
        const all = await visible(base, 30);
        const fetchedBefore = await fixture.eventsFetched?.();

        const iterator = store
          .subscribeAll(START, { streamPrefixes: [base], batchSize: 5 })
          [Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.done).toBe(false);
        expect(first.value?.id).toBe(all[0].id);
        if (fixture.eventsFetched && fetchedBefore !== undefined) {
          expect((await fixture.eventsFetched()) - fetchedBefore).toBeLessThanOrEqual(5);
        }
        for (let i = 1; i < 7; i++) expect((await iterator.next()).value?.id).toBe(all[i].id);
        if (fixture.eventsFetched && fetchedBefore !== undefined) {
          expect((await fixture.eventsFetched()) - fetchedBefore).toBeLessThanOrEqual(10);
        }
        expect(await iterator.return?.(undefined)).toEqual({ done: true, value: undefined });
      });

      it('ends when its signal is aborted, also while waiting for new events', async () => {
        const controller = new AbortController();
        const iterator = store
          .subscribeAll(await store.headPosition(), {
            streamPrefixes: [testStreamBase()],
            signal: controller.signal,
          })
          [Symbol.asyncIterator]();
        const pending = iterator.next();
        await new Promise((resolve) => setTimeout(resolve, 150));
        const abortedAt = Date.now();
        controller.abort();
        expect(await pending).toEqual({ done: true, value: undefined });
        expect(Date.now() - abortedAt).toBeLessThan(2_000);

        const already = new AbortController();
        already.abort();
        const none = store.subscribeAll(START, { signal: already.signal })[Symbol.asyncIterator]();
        expect(await none.next()).toEqual({ done: true, value: undefined });
      });
    });
  });
}
