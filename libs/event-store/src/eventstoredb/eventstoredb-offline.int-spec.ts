import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AppendTooLargeError, EventStoreUnavailableError } from '../event-store';
import { testEvent } from '../testing/event-store-contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/** A port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe('EventStoreDB adapter with no server (the real client)', () => {
  let store: EventStoreDbEventStore;
  const errors: string[] = [];
  beforeAll(async () => {
    store = EventStoreDbEventStore.connect(
      `esdb://127.0.0.1:${await closedPort()}?tls=false&defaultDeadline=2000`,
      { logger: { error: (m) => errors.push(m) }, resubscribeDelayMs: 50 },
    );
  });
  afterAll(() => store.close());

  it('reports an append to an unreachable server as unavailability', async () => {
    await expect(
      store.append(`family-${randomUUID()}`, [testEvent()], { expectedRevision: 'any' }),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('refuses an append over the size limit before sending anything', async () => {
    const big = testEvent('Big', { text: 'x'.repeat(1_100_000) });
    const err = await store
      .append(`family-${randomUUID()}`, [big], { expectedRevision: 'any' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppendTooLargeError);
    expect(err).toMatchObject({ limitBytes: 1_048_576 });
  });

  it('logs each dropped subscription with its back-off instead of retrying silently', async () => {
    const abort = new AbortController();
    const reading = (async () => {
      for await (const _ of store.subscribeAll(0n, { signal: abort.signal })) break;
    })();
    const deadline = Date.now() + 15_000;
    while (errors.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await reading;
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatch(
      /event store subscription dropped \(unavailable: .*\); resubscribing in 50 ms/,
    );
    expect(errors[1]).toMatch(/resubscribing in 100 ms/);
  });
});
