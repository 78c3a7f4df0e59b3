import { Metadata, status } from '@grpc/grpc-js';
import {
  ErrorType,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  convertToCommandError,
} from '@eventstore/db-client';
import { AppendTooLargeError, EventStoreUnavailableError } from '../event-store';
import { translateEsdbError } from './eventstoredb-event-store';

/** A gRPC failure as @grpc/grpc-js hands it to the client, then the client's own conversion. */
function clientError(code: status, details: string, metadata = new Metadata()): Error {
  const raw = Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata,
  });
  return convertToCommandError(raw);
}

describe('translateEsdbError (the real client error classes)', () => {
  it.each([
    [
      status.UNAVAILABLE,
      'No connection established. Last error: connect ECONNREFUSED',
      'unavailable',
    ],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded', 'deadline-exceeded'],
    [status.CANCELLED, 'Received RST_STREAM with code 8', 'cancelled'],
    [status.ABORTED, 'Operation timed out', 'timeout'],
  ])('gRPC %s is unavailability, worth a retry: %s', (code, details, kind) => {
    const translated = translateEsdbError(clientError(code, details));
    expect(translated).toBeInstanceOf(EventStoreUnavailableError);
    expect(translated).toMatchObject({ kind });
  });

  it('a server refusal the client calls UNKNOWN is not unavailability (not retried for ever)', () => {
    const err = clientError(status.UNKNOWN, 'Invalid position: commit position 999');
    expect((err as { type?: string }).type).toBe(ErrorType.UNKNOWN);
    expect(translateEsdbError(err)).toBe(err);
  });

  it("the server's append-size refusal names the limit", () => {
    const translated = translateEsdbError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576));
    expect(translated).toBeInstanceOf(AppendTooLargeError);
    expect(translated).toMatchObject({ limitBytes: 1_048_576 });
  });

  it('passes other errors through unchanged', () => {
    const notFound = new StreamNotFoundError(undefined as never);
    expect(translateEsdbError(notFound)).toBe(notFound);
    const plain = new Error('boom');
    expect(translateEsdbError(plain)).toBe(plain);
  });
});
