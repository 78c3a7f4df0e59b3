const IDLE = Symbol('idle');

/**
 * Groups an async iterable into arrays of at most `max` items, yielding early whenever the source
 * has nothing more ready (its next item is not already buffered). A projection then applies as much
 * as is available in one transaction without waiting for a full batch.
 */
export async function* inBatches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let batch: T[] = [];
  let pending = iterator.next();
  try {
    for (;;) {
      const next = batch.length
        ? await Promise.race([
            pending,
            new Promise<typeof IDLE>((r) => setImmediate(() => r(IDLE))),
          ])
        : await pending;
      if (next === IDLE) {
        yield batch;
        batch = [];
        continue;
      }
      if (next.done) {
        if (batch.length) yield batch;
        return;
      }
      batch.push(next.value);
      pending = iterator.next();
      if (batch.length >= max) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    await iterator.return?.();
  }
}
