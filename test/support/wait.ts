/**
 * Waiting on something outside the test's own process (a worker, a queue, a server starting),
 * where no event-store position can be awaited (for read models, use `Harness.caughtUp`).
 *
 * Reads `read()` every `everyMs` until `done` holds for its value or `timeoutMs` has passed, and
 * returns the last value read either way: the caller asserts on it, so a timeout fails on the
 * caller's own expectation. Assertions inside `read` fail at once.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, everyMs = 100 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
