/**
 * Who may receive a record-level extract (issue 14): each accredited recipient is configured with
 * its pseudonym key and the API keys (by id, as `outcomes apikey create` prints it) bound to it.
 * The recipient of an extract is the one the caller's API key is bound to, never one the caller
 * names: a bearer token, or an API key bound to no recipient, receives no extract.
 *
 * `EXTRACT_RECIPIENT_KEYS_FILE` (a JSON file) or `EXTRACT_RECIPIENT_KEYS` (the JSON itself):
 *
 *     { "natcen": { "key": "<32 characters or more>", "apiKeys": ["<api key id>", …] }, … }
 *
 * Checked once, at start-up: anything wrong throws `ConfigInvalid` naming the variable and the
 * recipient, never a key or the text around it.
 */
import { ConfigInvalid } from '@app/config';
import { readFileSync } from 'node:fs';

export interface ExtractRecipient {
  /** The recipient's code, e.g. `natcen`. */
  name: string;
  /** The HMAC key its pseudonyms are made with (secret; never in an output or a log). */
  key: string;
  /** Ids of the API keys that receive this recipient's extracts (lower case). */
  apiKeys: readonly string[];
}

export interface ExtractRecipients {
  byName: ReadonlyMap<string, ExtractRecipient>;
  /** API key id → the one recipient it is bound to. */
  byApiKey: ReadonlyMap<string, ExtractRecipient>;
}

export const NO_RECIPIENTS: ExtractRecipients = { byName: new Map(), byApiKey: new Map() };

const RECIPIENT = /^[a-z][a-z0-9_-]{0,63}$/;
const API_KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHAPE = '{"key": "<32 characters or more>", "apiKeys": ["<API key id>", …]}';

/** Checks `{recipient: {key, apiKeys}}` as read from `variable`; `ConfigInvalid` names it. */
export function parseExtractRecipients(raw: unknown, variable: string): ExtractRecipients {
  const fail = (problem: string): never => {
    throw new ConfigInvalid([`${variable}: ${problem}`]);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    fail(`must be a JSON object {recipient: ${SHAPE}}`);
  }
  const byName = new Map<string, ExtractRecipient>();
  const byApiKey = new Map<string, ExtractRecipient>();
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (!RECIPIENT.test(name)) fail(`recipient ${JSON.stringify(name)} is not a lower-case code`);
    const at = `recipient ${name}`;
    if (typeof entry === 'string') {
      fail(
        `${at}: must be ${SHAPE}; a bare key is no longer accepted, an extract goes only to ` +
          `the API keys listed for its recipient`,
      );
    }
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      fail(`${at}: must be ${SHAPE}`);
    const { key, apiKeys, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) fail(`${at}: unknown field ${unknown[0]} (only key and apiKeys)`);
    if (typeof key !== 'string' || key.length < 32) {
      fail(`${at}: key must be a string of 32 characters or more`);
    }
    if (!Array.isArray(apiKeys) || !apiKeys.length) {
      fail(`${at}: apiKeys must list the ids of the API keys allowed to receive its extracts`);
    }
    const ids = (apiKeys as unknown[]).map((id) =>
      typeof id === 'string' && API_KEY_ID.test(id)
        ? id.toLowerCase()
        : fail(`${at}: apiKeys holds ${JSON.stringify(id)}, not an API key id (a UUID)`),
    );
    const recipient: ExtractRecipient = { name, key: key as string, apiKeys: [...new Set(ids)] };
    for (const id of recipient.apiKeys) {
      const other = byApiKey.get(id);
      if (other) {
        fail(`API key ${id} is bound to both ${other.name} and ${name} (one recipient a key)`);
      }
      byApiKey.set(id, recipient);
    }
    byName.set(name, recipient);
  }
  return { byName, byApiKey };
}

/**
 * The recipients from `EXTRACT_RECIPIENT_KEYS_FILE`, else `EXTRACT_RECIPIENT_KEYS` (as
 * `loadConfig().extractRecipientKeys`); none when neither is set.
 */
export function extractRecipientsFrom(source: {
  file?: string;
  inline?: string;
}): ExtractRecipients {
  const variable = source.file ? 'EXTRACT_RECIPIENT_KEYS_FILE' : 'EXTRACT_RECIPIENT_KEYS';
  let text = source.inline;
  if (source.file) {
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigInvalid([`${variable}: cannot read ${source.file} (${code})`]);
    }
  }
  if (!text) return NO_RECIPIENTS;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which holds the keys.
    throw new ConfigInvalid([`${variable}: is not valid JSON`]);
  }
  return parseExtractRecipients(raw, variable);
}

/**
 * The recipient the caller's credential is bound to: only an API key listed under a recipient
 * has one. A bearer token has none, whatever its subject says (anyone who can mint a token can
 * choose its subject; only the key's hash proves the key).
 */
export function recipientOf(
  recipients: ExtractRecipients,
  caller: { subject: string; via: 'token' | 'api-key' },
): ExtractRecipient | undefined {
  if (caller.via !== 'api-key' || !caller.subject.startsWith('api-key:')) return undefined;
  return recipients.byApiKey.get(caller.subject.slice('api-key:'.length).toLowerCase());
}
