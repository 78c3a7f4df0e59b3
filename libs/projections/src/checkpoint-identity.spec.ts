import { StoreIdentity } from '@app/event-store';
import { Checkpoint, checkpointProblem, epochOf } from './checkpoint-identity';

const store: StoreIdentity = {
  id: 'store-a',
  epoch: 3,
  epochs: [
    { epoch: 2, after: 1_000n },
    { epoch: 3, after: 5_000n },
  ],
};
const at = (position: bigint, storeId: string | null, epoch: number | null): Checkpoint => ({
  name: 'families',
  position,
  storeId,
  epoch,
});

describe('checkpointProblem', () => {
  it('accepts a checkpoint of this store within the history it still has', () => {
    expect(checkpointProblem(at(6_000n, 'store-a', 3), store, 7_000n)).toBeUndefined();
    // Taken before two restores, at or below where both began: the restored history holds it.
    expect(checkpointProblem(at(1_000n, 'store-a', 1), store, 7_000n)).toBeUndefined();
    expect(checkpointProblem(at(4_000n, 'store-a', 2), store, 7_000n)).toBeUndefined();
  });

  it('accepts a checkpoint that applied nothing, whatever store it names', () => {
    expect(checkpointProblem(at(0n, 'store-b', 1), store, 0n)).toBeUndefined();
  });

  it('adopts a checkpoint from before identities only when the store reaches it', () => {
    const fresh: StoreIdentity = { id: 'store-a', epoch: 1, epochs: [] };
    expect(checkpointProblem(at(6_900n, null, null), fresh, 7_000n)).toBeUndefined();
    expect(checkpointProblem(at(8_000n, null, null), fresh, 7_000n)).toMatch(/ahead of the store/);
  });

  it('refuses another store, naming both', () => {
    expect(checkpointProblem(at(10n, 'store-b', 1), store, 7_000n)).toMatch(
      /belongs to event store store-b, and this is event store store-a/,
    );
  });

  it('refuses a checkpoint past the point a later epoch was restored to', () => {
    expect(checkpointProblem(at(1_001n, 'store-a', 1), store, 7_000n)).toMatch(
      /epoch 2 starts after 1000/,
    );
    expect(checkpointProblem(at(5_001n, 'store-a', 2), store, 7_000n)).toMatch(/epoch 3/);
  });

  it('refuses a checkpoint ahead of the store (wiped, or restored from an older backup)', () => {
    expect(checkpointProblem(at(7_001n, 'store-a', 3), store, 7_000n)).toMatch(
      /ahead of the store's last event \(7000\)/,
    );
  });
});

describe('epochOf', () => {
  it('is the last epoch starting below the position', () => {
    expect([1n, 1_000n, 1_001n, 5_000n, 5_001n].map((p) => epochOf(p, store))).toEqual([
      1, 1, 2, 2, 3,
    ]);
  });
});
