import { createHash } from 'node:crypto';

/**
 * Canonical JSON (the RFC 8785 rules this content needs): object keys sorted by UTF-16 code
 * units, no whitespace, numbers as ECMAScript prints them. The same value always gives the same
 * bytes, so a content hash identifies the content.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error('canonical JSON has no representation for a non-finite number');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256 = (text: string | Buffer): string =>
  createHash('sha256').update(text).digest('hex');
