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
import { createHash, createHmac } from 'node:crypto';

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

/** The record id of a family episode that its key is drawn from. */
export const episodeRecordId = (familyId: string, episode: number): string =>
  `${familyId}/${episode}`;

/** `recordKey` of a family episode, in whole units of 2^-32 (the form cells sum keys in). */
export const episodeKeyUnits =
  (secret: string | Buffer) =>
  (familyId: string, episode: number): number =>
    recordKey(secret, episodeRecordId(familyId, episode)) * KEY_SCALE;

const BLOCK = 64;

/**
 * `episodeKeyUnits` as a SQL expression over the row aliased `e` (or `alias`): its `family_id`, `episode`:
 * HMAC-SHA-256 written out with PostgreSQL's `sha256` (RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))),
 * its first 32 bits as a bigint. The padded keys go as parameters, never into the SQL text or a
 * log. Held equal to `recordKey` by record-key.int-spec.ts. With `state` (a SQL text expression of
 * the row), the key of the episode id followed by `#` and that text: a different key whenever the
 * state differs.
 */
export function recordKeySql(
  secret: string | Buffer,
): (params: unknown[], alias?: string, state?: string) => string {
  let key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (key.length < MIN_SECRET_BYTES) {
    throw new Error(`record-key secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
  const padded = Buffer.concat([key, Buffer.alloc(BLOCK - key.length)]);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36));
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c));
  return (params, alias = 'e', state) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not an alias: ${alias}`);
    params.push(ipad, opad, DOMAIN);
    const [i, o, d] = [params.length - 2, params.length - 1, params.length];
    // With a state: the key of the episode as it stands (`episodeStateKeySql`), not of the episode.
    const id =
      `${alias}.family_id::text || '/' || ${alias}.episode::text` +
      (state ? ` || '#' || ${state}` : '');
    const message = `convert_to($${d}::text || ${id}, 'UTF8')`;
    const mac = `sha256($${o}::bytea || sha256($${i}::bytea || ${message}))`;
    return `('x' || encode(substring(${mac} from 1 for 4), 'hex'))::bit(32)::bigint`;
  };
}
