import {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  START,
  WrongExpectedRevisionError,
} from '../event-store';

import {
  ContractContext,
  EventStoreFixture,
  eventually,
  expectStrictlyIncreasing,
  ids,
  positions,
  rejection,
  take,
  testEvent,
  testStreamBase,
} from './contract-helpers';

/** The contract of reads: the head, readAll, subscribeAll. */
export function describeReadContract(ctx: ContractContext): void {
  const { visible } = ctx;
  let store: EventStore;
  let fixture: EventStoreFixture;
  beforeAll(() => {
    store = ctx.store;
    fixture = ctx.fixture;
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
}
