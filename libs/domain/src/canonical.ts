/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace, so equal
 * values give equal text. One writer, two policies for what JSON cannot hold:
 * - `canonicalJson`: content that is hashed (a return): a non-finite number throws (the RFC 8785
 *   rules this content needs: no representation for it).
 * - `sortedKeysJson`: values compared or sealed (event payloads, personal details, import ids):
 *   `JSON.stringify`'s rules (a non-finite number is `null`), keys sorted.
 * Otherwise both follow `JSON.stringify`: `toJSON` is honoured, an undefined (or function) member
 * is left out, and in an array it is `null`.
 */
type NonFinite = 'throw' | 'null';

function write(value: unknown, nonFinite: NonFinite): string | undefined {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as () => unknown).call(value);
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value) && nonFinite === 'throw') {
      throw new Error('canonical JSON has no representation for a non-finite number');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => write(v, nonFinite) ?? 'null').join(',')}]`;
  }
  const members: string[] = [];
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [k, v] of entries) {
    const text = write(v, nonFinite);
    if (text !== undefined) members.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/** Canonical JSON of hashed content: keys sorted, no whitespace; a non-finite number throws. */
export const canonicalJson = (value: unknown): string => write(value, 'throw')!;

/** `JSON.stringify` with object keys sorted at every level: equal values give equal text. */
export const sortedKeysJson = (value: unknown): string => write(value, 'null')!;
