/**
 * Cell keys for tests of returns: a fixed secret (so the SQL keys and the in-memory keys of the
 * oracle agree, and a return rebuilt is the same bytes), and the identity ptable, which publishes
 * every count as it is: the truth a test compares the perturbed return with.
 */
import { CellKeys, Ptable, cellKeys, episodeKeyUnits } from '../cell-key';

const SECRET = 'outcomes-ledger/test/cell-key-secret';

/** The record keys and PTABLE_V1, as a deployment has them. */
export const testCellKeys: CellKeys = cellKeys(SECRET);

/** The same record keys in memory (folded records, the oracle's path). */
export const testKeyOf = episodeKeyUnits(SECRET);

/** No perturbation: count i is published as i (row 0, shifted, for every i). */
export const IDENTITY_PTABLE: Ptable = {
  id: 'identity@0',
  name: 'identity',
  version: 0,
  params: { maxPerturbation: 0, variance: 0, blockedUpTo: 0 },
  method: 'none: the true counts (tests only)',
  stationaryFrom: 0,
  rows: [{ count: 0, transitions: [{ perturbed: 0, weight: 2 ** 32 }] }],
};

/** The same keys with no perturbation: the true counts. */
export const exactCellKeys: CellKeys = { ...testCellKeys, ptable: IDENTITY_PTABLE };
