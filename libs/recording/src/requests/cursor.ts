/**
 * Keyset cursors (`?cursor=`): an instant and an id, as the API issued them. A cursor is client
 * input like any other: anything but what `encodeKeyset` makes is refused here, so no crafted
 * cursor reaches the database (where it would fail as a 500 quoting the bad value).
 */
const INSTANT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeKeyset = (at: string, id: string): string =>
  Buffer.from(JSON.stringify([at, id])).toString('base64url');

/** `[instant, uuid]`, or undefined when the cursor is not one `encodeKeyset` could have made. */
export function decodeKeyset(cursor: string): [string, string] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [at, id] = value as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) return undefined;
  const instant = INSTANT.exec(at);
  if (!instant || Number(instant[1]) < 1900) return undefined;
  const parsed = new Date(at);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === at ? [at, id] : undefined;
}
