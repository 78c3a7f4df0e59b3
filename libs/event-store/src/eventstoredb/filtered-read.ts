import type { CallOptions, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import {
  BACKWARDS,
  END,
  START,
  type AllStreamResolvedEvent,
  type BaseOptions,
  type Direction,
  type EventStoreDBClient,
  type ReadPosition,
} from '@eventstore/db-client';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';

/*
 * A read of $all filtered by the server. The server has filtered $all reads since 20.6 (the same
 * `ReadReq.Options.filter` that subscriptions use), but client 6.x's `readAll` always sends
 * `no_filter`, so this builds the request as the client's own `readAll` does (same generated
 * classes, same call arguments and stream handling) with the filter its `subscribeToAll` builds.
 * It leans on two protected members of the client; `filtered-read.spec.ts` holds it to the
 * installed client's wire format against a gRPC server, so an upgrade that moves them fails there.
 */

export interface FilteredReadAllOptions {
  /** Only streams whose id starts with one of these (matched by the server). */
  prefixes: string[];
  direction: Direction;
  fromPosition: ReadPosition;
  maxCount: number;
  /** How many events the server examines per step while looking for matches. */
  maxSearchWindow?: number;
}

/** The client's protected members this read needs (present in @eventstore/db-client 6.x). */
interface ClientInternals {
  GRPCStreamCreator<C, T>(
    grpcClient: new (...args: never[]) => C,
    debugName: string,
    creator: (client: C) => T,
  ): () => Promise<T>;
  callArguments(options: BaseOptions, callOptions?: CallOptions): [Metadata, CallOptions];
}

export function readAllFiltered(
  client: EventStoreDBClient,
  options: FilteredReadAllOptions,
): AsyncIterable<AllStreamResolvedEvent> {
  const internals = client as unknown as ClientInternals;
  if (
    typeof internals.GRPCStreamCreator !== 'function' ||
    typeof internals.callArguments !== 'function'
  ) {
    throw new Error('@eventstore/db-client no longer exposes what a filtered $all read needs');
  }
  const req = new ReadReq().setOptions(readOptions(options));
  const createStream = internals.GRPCStreamCreator(
    StreamsClient as never,
    'readAll',
    (grpc: StreamsClient): ClientReadableStream<ReadResp> =>
      grpc.read(req, ...internals.callArguments({}, { deadline: Infinity })),
  );
  return new ReadStream<AllStreamResolvedEvent>(createStream, convertGrpcEvent, {});
}

/** The request's options: what the client's `readAll` sends, with a stream-prefix filter. */
export function readOptions(options: FilteredReadAllOptions): ReadReq.Options {
  const all = new ReadReq.Options.AllOptions();
  if (options.fromPosition === START) all.setStart(new Empty());
  else if (options.fromPosition === END) all.setEnd(new Empty());
  else {
    all.setPosition(
      new ReadReq.Options.Position()
        .setCommitPosition(options.fromPosition.commit.toString(10))
        .setPreparePosition(options.fromPosition.prepare.toString(10)),
    );
  }
  const filter = new ReadReq.Options.FilterOptions()
    .setStreamIdentifier(
      new ReadReq.Options.FilterOptions.Expression().setPrefixList(options.prefixes),
    )
    .setMax(options.maxSearchWindow ?? 500)
    .setCheckpointintervalmultiplier(1);
  return new ReadReq.Options()
    .setAll(all)
    .setResolveLinks(false)
    .setCount(String(options.maxCount))
    .setUuidOption(new ReadReq.Options.UUIDOption().setString(new Empty()))
    .setFilter(filter)
    .setReadDirection(
      options.direction === BACKWARDS
        ? ReadReq.Options.ReadDirection.BACKWARDS
        : ReadReq.Options.ReadDirection.FORWARDS,
    );
}
