/**
 * Pseudonyms for record-level extracts: HMAC-SHA-256(recipient key, family id). Stable for one
 * recipient (their extracts join up over time), different between recipients (two evaluators
 * cannot join theirs), and irreversible without the key, which never leaves configuration.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type RecipientKeys = ReadonlyMap<string, string>;

export const pseudonym = (key: string, familyId: string): string =>
  createHmac('sha256', key).update(familyId.toLowerCase()).digest('hex');

const RECIPIENT = /^[a-z][a-z0-9_-]{0,63}$/;

/** Checks `{recipient: key}`: codes for names, keys of at least 32 characters. */
export function parseRecipientKeys(raw: unknown): RecipientKeys {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('extract recipient keys must be a JSON object {recipient: key}');
  }
  const keys = new Map<string, string>();
  for (const [name, key] of Object.entries(raw as Record<string, unknown>)) {
    if (!RECIPIENT.test(name)) throw new Error(`extract recipient ${name}: not a lower-case code`);
    if (typeof key !== 'string' || key.length < 32) {
      throw new Error(
        `extract recipient ${name}: the key must be a string of 32 characters or more`,
      );
    }
    keys.set(name, key);
  }
  return keys;
}

/**
 * `EXTRACT_RECIPIENT_KEYS_FILE` (a JSON file) or `EXTRACT_RECIPIENT_KEYS` (the JSON itself), as
 * `loadConfig().extractRecipientKeys`.
 */
export function recipientKeysFrom(source: { file?: string; inline?: string }): RecipientKeys {
  const text = source.file ? readFileSync(source.file, 'utf8') : source.inline;
  return text ? parseRecipientKeys(JSON.parse(text)) : new Map();
}
