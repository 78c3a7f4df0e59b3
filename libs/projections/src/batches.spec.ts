import { inBatches } from './batches';

async function* slowSource(values: number[][]): AsyncGenerator<number> {
  // Each inner array arrives at once; between arrays the source has to wait.
  for (const group of values) {
    await new Promise((r) => setTimeout(r, 5));
    for (const v of group) yield v;
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

describe('inBatches', () => {
  it('cuts at the maximum size', async () => {
    expect(await collect(inBatches(slowSource([[1, 2, 3, 4, 5]]), 2))).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
  });

  it('yields what is ready instead of waiting for a full batch', async () => {
    expect(await collect(inBatches(slowSource([[1, 2], [3], [4, 5, 6]]), 10))).toEqual([
      [1, 2],
      [3],
      [4, 5, 6],
    ]);
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(inBatches(slowSource([]), 10))).toEqual([]);
  });
});
