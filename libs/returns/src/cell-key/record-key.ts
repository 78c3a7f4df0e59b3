/**
 * Record keys and cell keys for cell-key perturbation (issue 14, item 2), after the ABS TableBuilder
 * method (Fraser & Wooton 2005; Thompson, Broadfoot & Elazar 2013) as used by ONS for Census 2021
 * outputs and by Statistik Austria's `cellKey` R package.
 *
 * Every family episode carries a permanent record key, uniform on [0, 1). Here it is derived, not
 * stored: HMAC-SHA256 of the episode id under a secret, first 32 bits, divided by 2^32. The same
 * secret and id always give the same key, so a rebuilt read model or a re-run return gets the same
 * keys; without the secret the keys cannot be computed. A cell's key is the sum of its records'
 * keys modulo 1.
 *
 * Keys are multiples of 2^-32. They are summed as integers modulo 2^32, so the cell key is exact and
 * does not depend on the order of the records (floating-point sums would).
 */
import { createHmac } from 'node:crypto';

/** Keys are k / KEY_SCALE for a whole k in [0, KEY_SCALE). */
export const KEY_SCALE = 2 ** 32;

/** The HMAC input is namespaced, so the same secret can never yield these keys for another use. */
const DOMAIN = 'outcomes-ledger/cell-key/record-key/v1:';

/** Shortest secret accepted (bytes): 128 bits, so the keys cannot be searched for. */
export const MIN_SECRET_BYTES = 16;

/** The permanent record key of one family episode, in [0, 1). */
export function recordKey(secret: string | Buffer, episodeId: string): number {
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret) : secret.length;
  if (bytes < MIN_SECRET_BYTES) {
    throw new Error(`record-key secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (typeof episodeId !== 'string' || episodeId.length === 0) {
    throw new Error('episodeId must be a non-empty string');
  }
  const digest = createHmac('sha256', secret)
    .update(DOMAIN + episodeId)
    .digest();
  return digest.readUInt32BE(0) / KEY_SCALE;
}

function keyUnits(key: number): number {
  const units = key * KEY_SCALE;
  if (!(key >= 0 && key < 1) || !Number.isInteger(units)) {
    throw new Error(`a record key is a multiple of 2^-32 in [0, 1) (got ${key})`);
  }
  return units;
}

/** The cell key: the sum of the records' keys modulo 1 (0 for an empty cell). */
export function cellKey(recordKeys: Iterable<number>): number {
  let sum = 0;
  for (const key of recordKeys) sum = (sum + keyUnits(key)) % KEY_SCALE;
  return sum / KEY_SCALE;
}

/**
 * A cell key scoped to the table's population: the cell's key plus the key of every record in the
 * query's cohort, modulo 1. Cells over the same families in the same cohort still get the same key
 * (repeating a query teaches nothing), but when the cohort changes by even one family every cell is
 * re-keyed, so a cell whose own families did not change no longer stays visibly the same. See
 * the differencing simulation in ptable.spec.ts for why this matters
 * and what it costs (distinct overlapping cohorts give independent draws, which can be averaged).
 */
export function scopedCellKey(cellRecordKeys: Iterable<number>, cohortKey: number): number {
  return cellKey([cellKey(cellRecordKeys), cohortKey]);
}
