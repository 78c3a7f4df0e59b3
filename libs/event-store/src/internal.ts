import { DuplicateEventIdError, NewEvent } from './event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks shared by the adapters before touching the database. An empty batch is rejected rather
 * than answered with the stream's state: there is no meaningful `position` to return for it.
 */
export function validateNewEvents(events: readonly NewEvent[], maxEvents: number): void {
  if (events.length === 0) throw new RangeError('append: events must not be empty');
  if (events.length > maxEvents) {
    throw new RangeError(`append: at most ${maxEvents} events per append, got ${events.length}`);
  }
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw new TypeError(`append: event id ${event.id} is not a UUID`);
    const id = event.id.toLowerCase();
    // Two events with one id in the same batch can never both be stored.
    if (seen.has(id)) throw new DuplicateEventIdError(event.id);
    seen.add(id);
  }
}

/** Resolves after `ms`, or at once when any of the signals is (or becomes) aborted. */
export function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (live.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of live) s.addEventListener('abort', done, { once: true });
  });
}

export const isAborted = (...signals: (AbortSignal | undefined)[]): boolean =>
  signals.some((s) => s?.aborted === true);
