import { type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { readEvent, startStandIn } from './grpc-stand-in';

/*
 * The real client talking gRPC to a stand-in for the server's Streams.Read: what goes over the
 * wire is what EventStoreDB would receive, so this holds the filtered read to the installed
 * client's protocol (the server's filtering itself runs only where EVENTSTORE_CONNECTION_STRING
 * is set, in the contract suite).
 */

interface Stored {
  streamId: string;
  position: bigint;
}

describe('EventStoreDB filtered $all reads (the real client over gRPC)', () => {
  const requests: ReadReq.Options.AsObject[] = [];
  let answer: Stored[] = [];
  let stop: () => void;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    const standIn = await startStandIn({
      read(call: ServerWritableStream<ReadReq, ReadResp>) {
        requests.push(call.request.getOptions()!.toObject());
        for (const event of answer) call.write(readEvent({ ...event, revision: 0n }));
        call.end();
      },
    });
    stop = standIn.stop;
    store = EventStoreDbEventStore.connect(standIn.connection);
  });
  afterAll(async () => {
    await store.close();
    stop();
  });
  beforeEach(() => {
    requests.length = 0;
    answer = [];
  });

  it('reads the head as one event backwards from the end, filtered by the server', async () => {
    answer = [{ streamId: 'family-1', position: 4242n }];
    expect(await store.headPosition()).toBe(4242n);
    expect(await store.lastPosition()).toBe(4242n);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      all: { end: {} },
      count: '1',
      readDirection: ReadReq.Options.ReadDirection.BACKWARDS,
      noFilter: undefined,
      filter: { streamIdentifier: { prefixList: ['family-'] }, max: 500 },
    });
  });

  it('reads an empty store (no matching event) as head 0', async () => {
    expect(await store.headPosition()).toBe(0n);
    expect(requests).toHaveLength(1);
  });

  it('reads forwards with the caller’s prefixes, dropping the event at the start position', async () => {
    answer = [
      { streamId: 'family-1', position: 100n },
      { streamId: 'family-2', position: 200n },
      { streamId: 'family-3', position: 300n },
    ];
    const events = await store.readAll(100n, { streamPrefixes: ['family-', 'other-'], limit: 2 });
    expect(events.map((e) => e.position)).toEqual([200n, 300n]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      all: { position: { commitPosition: '100', preparePosition: '100' } },
      count: '3',
      readDirection: ReadReq.Options.ReadDirection.FORWARDS,
      filter: { streamIdentifier: { prefixList: ['family-', 'other-'] } },
    });
  });

  it('reads from the start without dropping anything', async () => {
    answer = [{ streamId: 'family-1', position: 100n }];
    expect((await store.readAll(0n)).map((e) => e.position)).toEqual([100n]);
    expect(requests[0]).toMatchObject({ all: { start: {} }, filter: { max: 500 } });
  });
});
