import { randomUUID } from 'node:crypto';
import { Role, generateApiKey, hashApiKey } from '@app/security';
import { DataSource } from 'typeorm';

/**
 * Extract recipients as `EXTRACT_RECIPIENT_KEYS` holds them, each bound to an API key whose id is
 * chosen here (the configuration names key ids, and is read when the API starts, before a test
 * can create keys through it). `issue` then stores the keys, as `outcomes apikey create` would.
 */
export function extractRecipients(names: string[]) {
  const ids = Object.fromEntries(names.map((n) => [n, randomUUID()]));
  const pseudonymKeys = Object.fromEntries(
    names.map((n) => [n, `${n}-pseudonym-key-`.padEnd(24, 'x') + randomUUID()]),
  );
  const env = JSON.stringify(
    Object.fromEntries(names.map((n) => [n, { key: pseudonymKeys[n], apiKeys: [ids[n]] }])),
  );
  return {
    env,
    ids,
    pseudonymKeys,
    /** Stores each recipient's API key (an evaluator's, national unless given): name → key. */
    issue: async (
      db: DataSource,
      role: Role = 'evaluator',
      authority: string | null = null,
    ): Promise<Record<string, string>> => {
      const keys: Record<string, string> = {};
      for (const n of names) {
        keys[n] = generateApiKey();
        await db.query(
          `INSERT INTO api_keys (id, key_hash, role, authority, label) VALUES ($1, $2, $3, $4, $5)`,
          [ids[n], hashApiKey(keys[n]), role, authority, `extracts for ${n}`],
        );
      }
      return keys;
    },
  };
}
