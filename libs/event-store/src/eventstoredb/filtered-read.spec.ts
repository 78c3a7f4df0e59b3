import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

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

function readEvent({ streamId, position }: Stored): ReadResp {
  const record = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(randomUUID()))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(streamId)))
    .setStreamRevision('0')
    .setPreparePosition(position.toString())
    .setCommitPosition(position.toString())
    .setData(Buffer.from(JSON.stringify({ at: position.toString() })))
    .setCustomMetadata(Buffer.from(JSON.stringify({ actor: 'user:test' })));
  const meta = record.getMetadataMap();
  meta.set('type', 'Tested');
  meta.set('content-type', 'application/json');
  meta.set('created', '0');
  return new ReadResp().setEvent(
    new ReadResp.ReadEvent().setEvent(record).setCommitPosition(position.toString()),
  );
}

describe('EventStoreDB filtered $all reads (the real client over gRPC)', () => {
  const requests: ReadReq.Options.AsObject[] = [];
  let answer: Stored[] = [];
  let server: Server;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    server = new Server();
    server.addService(StreamsService, {
      read(call: ServerWritableStream<ReadReq, ReadResp>) {
        requests.push(call.request.getOptions()!.toObject());
        for (const event of answer) call.write(readEvent(event));
        call.end();
      },
    });
    const port = await new Promise<number>((done, fail) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? fail(err) : done(p),
      ),
    );
    store = EventStoreDbEventStore.connect(`esdb://127.0.0.1:${port}?tls=false`);
  });
  afterAll(async () => {
    await store.close();
    server.forceShutdown();
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
