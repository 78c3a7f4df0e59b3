import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';

/*
 * For unit tests: a gRPC server answering the parts of EventStoreDB's Streams service a test
 * gives it, so the real client's requests and its handling of answers are exercised with no
 * server. Not a model of EventStoreDB: each test states what it stands in for.
 */

export interface StandInEvent {
  streamId: string;
  revision: bigint;
  position: bigint;
  id?: string;
  type?: string;
  data?: unknown;
  metadata?: unknown;
}

/** The server's answer carrying one recorded event, as EventStoreDB encodes it. */
export function readEvent(event: StandInEvent): ReadResp {
  const record = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(event.id ?? randomUUID()))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(event.streamId)))
    .setStreamRevision(event.revision.toString())
    .setPreparePosition(event.position.toString())
    .setCommitPosition(event.position.toString())
    .setData(Buffer.from(JSON.stringify(event.data ?? {})))
    .setCustomMetadata(Buffer.from(JSON.stringify(event.metadata ?? {})));
  const meta = record.getMetadataMap();
  meta.set('type', event.type ?? 'Tested');
  meta.set('content-type', 'application/json');
  meta.set('created', '0');
  return new ReadResp().setEvent(
    new ReadResp.ReadEvent().setEvent(record).setCommitPosition(event.position.toString()),
  );
}

/** Starts the stand-in on a free port; `connection` is for `EventStoreDbEventStore.connect`. */
export async function startStandIn(
  streams: UntypedServiceImplementation,
): Promise<{ connection: string; stop: () => void }> {
  const server = new Server();
  server.addService(StreamsService, streams);
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? fail(err) : done(p),
    ),
  );
  return { connection: `esdb://127.0.0.1:${port}?tls=false`, stop: () => server.forceShutdown() };
}
