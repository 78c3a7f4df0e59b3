import {
  ErrorType,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  isCommandError,
} from '@eventstore/db-client';
import { AppendTooLargeError, EventStoreUnavailableError } from '../event-store';

/**
 * Failures that mean "the server cannot be reached or answer now". Not UNKNOWN: the client maps
 * server refusals (an invalid position, for one) to it, and retrying those would loop for ever.
 */
const UNAVAILABLE = new Set<ErrorType>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

/**
 * The client's errors as the port's: unavailability (worth a retry) as
 * `EventStoreUnavailableError`, the server's append-size refusal as `AppendTooLargeError`;
 * anything else as it came.
 */
export function translateEsdbError(err: unknown): unknown {
  if (!(err instanceof Error) || !isCommandError(err)) return err;
  if (UNAVAILABLE.has(err.type)) return new EventStoreUnavailableError(err.type, err);
  if (err instanceof MaxAppendSizeExceededError) {
    return new AppendTooLargeError(undefined, err.maxAppendSize);
  }
  return err;
}

/** Runs a client call, translating its errors. */
export async function esdb<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw translateEsdbError(err);
  }
}

export function isStreamNotFound(err: unknown): boolean {
  return (
    err instanceof StreamNotFoundError ||
    (err instanceof Error && isCommandError(err) && err.type === ErrorType.STREAM_NOT_FOUND)
  );
}
