import { Position, StoreIdentity } from '@app/event-store';

/** A projection's checkpoint as stored: the position, and the store and epoch it belongs to. */
export interface Checkpoint {
  name: string;
  position: Position;
  /** Null on a checkpoint older than the identity columns (or one reset to 0). */
  storeId: string | null;
  epoch: number | null;
}

/** A checkpoint that cannot be followed on this store: the read models must be rebuilt. */
export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
  constructor(
    readonly projection: string,
    readonly reason: string,
  ) {
    super(
      `projection ${projection} will not run: ${reason}. Its read models do not match this event ` +
        `store: rebuild them from it (outcomes rebuild), or point the service back at the store ` +
        `they were built from`,
    );
  }
}

/**
 * Why a checkpoint cannot be followed on the store with this identity and last position, or
 * undefined when it can. Following it anyway would skip every new event up to the checkpoint
 * (another store's positions, or a history the store no longer has) without a trace.
 */
export function checkpointProblem(
  checkpoint: Checkpoint,
  identity: StoreIdentity,
  lastPosition: Position,
): string | undefined {
  const { position } = checkpoint;
  // Nothing applied yet: any store will do.
  if (position === 0n) return undefined;
  if (checkpoint.storeId !== null && checkpoint.storeId !== identity.id) {
    return `its checkpoint (position ${position}) belongs to event store ${checkpoint.storeId}, and this is event store ${identity.id}`;
  }
  const epoch = checkpoint.epoch ?? 1;
  const lost = identity.epochs.find((e) => e.epoch > epoch && position > e.after);
  if (lost) {
    return `its checkpoint (position ${position}, epoch ${epoch}) is past the point this store was restored to (epoch ${lost.epoch} starts after ${lost.after}): the read models hold events the store no longer has`;
  }
  if (position > lastPosition) {
    return `its checkpoint (position ${position}) is ahead of the store's last event (${lastPosition}): the store was wiped or restored from an older backup`;
  }
  return undefined;
}

/** The epoch a position belongs to: the last one that starts below it. */
export function epochOf(position: Position, identity: StoreIdentity): number {
  let epoch = 1;
  for (const e of identity.epochs) if (position > e.after) epoch = e.epoch;
  return epoch;
}
