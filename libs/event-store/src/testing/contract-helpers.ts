import { randomUUID } from 'node:crypto';
import {
  EventMetadata,
  EventStore,
  NewEvent,
  Position,
  RecordedEvent,
  START,
  SubscribeOptions,
} from '../event-store';
import type { ContractSqlTarget } from './contract-fast-paths';

export interface EventStoreFixture {
  store: EventStore;
  teardown: () => Promise<void>;
  /**
   * How many events the store has fetched from its database so far, if the fixture can tell. The
   * back-pressure test uses it to check that a slow consumer does not cause unbounded reads.
   */
  eventsFetched?: () => Promise<number>;
  /** A PostgreSQL connection the fast-path contract copies events into. */
  sql: ContractSqlTarget;
}

export type DescribeFn = (name: string, fn: () => void) => void;

// Helpers for contract tests; exported so adapter-specific tests can build on them.

export function testMetadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    recordedAt: new Date().toISOString(),
    actor: 'user:contract-test',
    authority: 'authority:test',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
    ...overrides,
  };
}

export function testEvent(
  type = 'ContractTested',
  data: Record<string, unknown> = { nonce: randomUUID() },
): NewEvent {
  return { id: randomUUID(), type, data, metadata: testMetadata() };
}

/** A fresh stream-id prefix; a test's streams all start with it, so filters isolate the test. */
export const testStreamBase = (): string => `family-${randomUUID()}`;

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Re-runs `read` until `done` holds (readers may lag until concurrent transactions finish). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first `count` events of a subscription, or fewer if `timeoutMs` passes first. */
export async function take(
  store: EventStore,
  from: Position,
  count: number,
  options: Omit<SubscribeOptions, 'signal'> = {},
  timeoutMs = 5_000,
): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: RecordedEvent[] = [];
  try {
    for await (const event of store.subscribeAll(from, { ...options, signal: controller.signal })) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

export const ids = (events: { id: string }[]) => events.map((e) => e.id);
export const positions = (events: RecordedEvent[]) => events.map((e) => e.position);

export function expectStrictlyIncreasing(values: bigint[]): void {
  for (let i = 1; i < values.length; i++) {
    if (values[i] <= values[i - 1]) {
      throw new Error(`not strictly increasing at ${i}: ${values[i - 1]} then ${values[i]}`);
    }
  }
}

/** What the contract's parts share: the fixture (set before their tests run) and two reads. */
export interface ContractContext {
  fixture: EventStoreFixture;
  store: EventStore;
  /** The events of a test's streams (by their base), after `from`. */
  readAllOf(base: string, from?: Position): Promise<RecordedEvent[]>;
  /** The same, once at least `count` are visible. */
  visible(base: string, count: number, from?: Position): Promise<RecordedEvent[]>;
}

export function contractContext(): ContractContext {
  const ctx = {
    readAllOf: (base: string, from: Position = START) =>
      ctx.store.readAll(from, { streamPrefixes: [base] }),
    visible: (base: string, count: number, from: Position = START) =>
      eventually(
        () => ctx.readAllOf(base, from),
        (r) => r.length >= count,
        `${count} events`,
      ),
  } as ContractContext;
  return ctx;
}
