/**
 * Rows of an import file turned into the request the API's batch endpoint takes, one event a
 * row: NDJSON lines are such requests already; CSV rows carry `data` as a JSON string column.
 * Pure, so the parsing rules are unit-tested without a database.
 */
import { createHash } from 'node:crypto';
import { sortedKeysJson } from '@app/domain';
import { FieldError } from '@app/recording';

export type RowFormat = 'csv' | 'ndjson';

/** The documented columns (docs/operating.md, Command line: `outcomes import`). */
export const IMPORT_COLUMNS = ['familyId', 'id', 'type', 'occurredAt', 'data'] as const;

export type ParsedRow =
  { ok: true; request: Record<string, unknown> } | { ok: false; errors: FieldError[] };

export function formatOf(path: string): RowFormat | undefined {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(path)) return 'ndjson';
  return undefined;
}

/** One NDJSON line: a JSON object, validated later exactly as an API batch item. */
export function parseNdjsonLine(line: string): ParsedRow {
  try {
    return { ok: true, request: JSON.parse(line) as Record<string, unknown> };
  } catch {
    return {
      ok: false,
      errors: [{ field: 'line', rule: 'isJson', message: 'the line is not valid JSON' }],
    };
  }
}

/** One CSV record (header → cell): empty cells are absent; `data` is parsed from JSON. */
export function parseCsvRecord(record: Record<string, string>): ParsedRow {
  const request: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === '') continue;
    if (column !== 'data') {
      request[column] = cell;
      continue;
    }
    try {
      request.data = JSON.parse(cell);
    } catch {
      return {
        ok: false,
        errors: [{ field: 'data', rule: 'isJson', message: 'data must be a JSON object' }],
      };
    }
  }
  return { ok: true, request };
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export const canonicalJson = sortedKeysJson;

/** Namespace of import event ids (RFC 4122 name-based, SHA-1). */
export const IMPORT_NAMESPACE = '8f0b8a36-7c1e-4f57-9a35-2c1d6b1f6a10';

export function uuidV5(name: string, namespace = IMPORT_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id an imported event is stored under: the row's own, else one derived from what the event
 * says (not from the file or the line), so re-running any file with the row stores it once.
 * `occurrence` tells identical rows of a family apart (the second such row is 1, …): two identical
 * deliveries on one day are two events, and a re-run counts them the same way.
 */
export function importEventId(
  familyId: string,
  event: { type: string; data: object },
  rowId?: string,
  occurrence = 0,
): string {
  if (rowId) return rowId;
  const { occurredAt } = event.data as { occurredAt?: unknown };
  const content = [familyId, event.type, occurredAt, event.data];
  return uuidV5(canonicalJson(occurrence ? [...content, occurrence] : content));
}
