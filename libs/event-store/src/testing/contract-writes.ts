import {
  DuplicateEventIdError,
  EventStore,
  ExpectedRevision,
  NewEvent,
  WrongExpectedRevisionError,
} from '../event-store';

import {
  ContractContext,
  expectStrictlyIncreasing,
  ids,
  positions,
  rejection,
  testEvent,
  testMetadata,
  testStreamBase,
} from './contract-helpers';

/** The contract of appends: revisions, optimistic concurrency, idempotency. */
export function describeWriteContract(ctx: ContractContext): void {
  const { readAllOf, visible } = ctx;
  let store: EventStore;

  beforeAll(() => {
    store = ctx.store;
  });

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
      const err = await rejection(store.append(testStreamBase(), [], { expectedRevision: 'any' }));
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
}
