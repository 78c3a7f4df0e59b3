/**
 * Pseudonyms for record-level extracts: HMAC-SHA-256(recipient key, family id). Stable for one
 * recipient (their extracts join up over time), different between recipients (two evaluators
 * cannot join theirs), and irreversible without the key, which never leaves configuration. The
 * recipients, their keys and the API keys bound to them: ./recipients.ts.
 */
import { createHmac } from 'node:crypto';

export const pseudonym = (key: string, familyId: string): string =>
  createHmac('sha256', key).update(familyId.toLowerCase()).digest('hex');
