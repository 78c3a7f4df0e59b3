import type { ServerReadableStream, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import {
  AppendReq,
  AppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { DuplicateEventIdError } from '../event-store';
import { rejection, testEvent } from '../testing/event-store-contract';
import { EventStoreDbEventStore, eventIdStream } from './eventstoredb-event-store';
import { readEvent, startStandIn, type StandInEvent } from './grpc-stand-in';

/*
 * Event ids across streams, through the real client. The stand-in keeps streams in memory and
 * does what EventStoreDB does for these calls: stream reads (StreamNotFound for a missing stream)
 * and appends checked against their expected revision (one creation of a stream wins). It does
 * NOT dedupe ids at all, not even within a stream: the refusal must come from the adapter.
 */

const streams = new Map<string, StandInEvent[]>();
let position = 0n;

function read(call: ServerWritableStream<ReadReq, ReadResp>) {
  const options = call.request.getOptions()!;
  const stream = options.getStream()!;
  const name = Buffer.from(stream.getStreamIdentifier()!.getStreamName_asU8()).toString();
  const events = streams.get(name);
  if (!events) {
    call.write(
      new ReadResp().setStreamNotFound(
        new ReadResp.StreamNotFound().setStreamIdentifier(stream.getStreamIdentifier()),
      ),
    );
  } else {
    const from = stream.hasRevision() ? BigInt(stream.getRevision()) : 0n;
    const count = Number(options.getCount());
    for (const e of events.filter((x) => x.revision >= from).slice(0, count)) {
      call.write(readEvent(e));
    }
  }
  call.end();
}

function append(
  call: ServerReadableStream<AppendReq, AppendResp>,
  done: sendUnaryData<AppendResp>,
) {
  let name = '';
  let expected: AppendReq.Options | undefined;
  const proposed: AppendReq.ProposedMessage[] = [];
  call.on('data', (req: AppendReq) => {
    if (req.hasOptions()) {
      expected = req.getOptions();
      name = Buffer.from(expected!.getStreamIdentifier()!.getStreamName_asU8()).toString();
    } else proposed.push(req.getProposedMessage()!);
  });
  call.on('end', () => {
    const events = streams.get(name);
    const current = events ? BigInt(events.length - 1) : undefined;
    const holds = expected!.hasNoStream()
      ? current === undefined
      : expected!.hasRevision()
        ? current === BigInt(expected!.getRevision())
        : true;
    if (!holds) {
      const wrong = new AppendResp.WrongExpectedVersion().setExpectedAny(new Empty());
      if (current === undefined) wrong.setCurrentNoStream(new Empty());
      else wrong.setCurrentRevision(current.toString());
      done(null, new AppendResp().setWrongExpectedVersion(wrong));
      return;
    }
    const stored = events ?? [];
    for (const m of proposed) {
      stored.push({
        streamId: name,
        revision: BigInt(stored.length),
        position: (position += 100n),
        id: m.getId()!.getString(),
        type: m.getMetadataMap().get('type'),
        data: JSON.parse(Buffer.from(m.getData_asU8()).toString()),
        metadata: JSON.parse(Buffer.from(m.getCustomMetadata_asU8()).toString() || '{}'),
      });
    }
    streams.set(name, stored);
    const success = new AppendResp.Success()
      .setCurrentRevision(String(stored.length - 1))
      .setPosition(
        new AppendResp.Position()
          .setCommitPosition(position.toString())
          .setPreparePosition(position.toString()),
      );
    done(null, new AppendResp().setSuccess(success));
  });
}

describe('EventStoreDB adapter: an event id belongs to one stream (the real client over gRPC)', () => {
  let store: EventStoreDbEventStore;
  let stop: () => void;
  beforeAll(async () => {
    const standIn = await startStandIn({ read, append });
    stop = standIn.stop;
    store = EventStoreDbEventStore.connect(standIn.connection);
  });
  afterAll(async () => {
    await store.close();
    stop();
  });

  it('claims each id for its stream, and answers a retry there with the original result', async () => {
    const events = [testEvent(), testEvent()];
    const first = await store.append('family-a', events, { expectedRevision: 'no_stream' });
    expect(first.nextRevision).toBe(1n);
    for (const e of events) {
      expect(streams.get(eventIdStream(e.id))?.map((c) => c.data)).toEqual([
        { streamId: 'family-a' },
      ]);
    }
    expect(await store.append('family-a', events, { expectedRevision: 'any' })).toEqual(first);
  });

  it('refuses an id already used on another stream, writing nothing there', async () => {
    const event = testEvent();
    await store.append('family-b', [event], { expectedRevision: 'no_stream' });
    for (const batch of [[event], [testEvent(), event]]) {
      const err = await rejection(store.append('family-c', batch, { expectedRevision: 'any' }));
      expect(err).toBeInstanceOf(DuplicateEventIdError);
      expect(err).toMatchObject({ eventId: event.id });
    }
    expect(streams.has('family-c')).toBe(false);
    expect(await store.readStream('family-c')).toEqual([]);
  });

  it('lets exactly one of concurrent appends on different streams have an id', async () => {
    const shared = testEvent();
    const outcomes = await Promise.allSettled(
      ['family-d', 'family-e', 'family-f'].map((s) =>
        store.append(s, [shared], { expectedRevision: 'any' }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateEventIdError);
    }
  });

  it('passes a claim this stream already holds (a write that stopped after claiming)', async () => {
    const event = testEvent();
    streams.set(eventIdStream(event.id), [
      {
        streamId: eventIdStream(event.id),
        revision: 0n,
        position: 1n,
        data: { streamId: 'family-g' },
      },
    ]);
    const result = await store.append('family-g', [event], { expectedRevision: 'no_stream' });
    expect(result.nextRevision).toBe(0n);
    expect((await store.readStream('family-g')).map((e) => e.id)).toEqual([event.id]);
  });
});
