import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Principal, Role } from './roles';
import { PrincipalClaims, principalProblem } from './principal';

/** Keys look like `olk_<43 characters>`: 256 random bits, recognisable in a leaked-secret scan. */
const PREFIX = 'olk_';
const KEY = /^olk_[A-Za-z0-9_-]{43}$/;

/**
 * Only the SHA-256 of a key is stored. A key is 256 random bits, so a fast hash is enough (no
 * dictionary to guess from) and a stolen table gives no usable key.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const generateApiKey = (): string => PREFIX + randomBytes(32).toString('base64url');

export interface ApiKeyRecord {
  id: string;
  role: Role;
  authority: string | null;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Stores a new key for a system and returns it; the key itself is shown this once only. */
export async function createApiKey(
  db: DataSource,
  request: { role: Role; authority: string | null; label: string },
): Promise<{ id: string; key: string }> {
  const id = randomUUID();
  const problem = principalProblem({ subject: `api-key:${id}`, ...request });
  if (problem) throw new RangeError(problem);
  if (!request.label.trim() || request.label.length > 200) {
    throw new RangeError('label must be 1 to 200 characters');
  }
  const key = generateApiKey();
  await db.query(
    `INSERT INTO api_keys (id, key_hash, role, authority, label) VALUES ($1, $2, $3, $4, $5)`,
    [id, hashApiKey(key), request.role, request.authority, request.label],
  );
  return { id, key };
}

/** Every key, newest first: what it is for and whether it works. Never the key or its hash. */
export async function listApiKeys(db: DataSource): Promise<ApiKeyRecord[]> {
  const rows = (await db.query(
    `SELECT id, role, authority, label, created_at, revoked_at FROM api_keys
     ORDER BY created_at DESC, id`,
  )) as {
    id: string;
    role: Role;
    authority: string | null;
    label: string;
    created_at: Date;
    revoked_at: Date | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    role: r.role,
    authority: r.authority,
    label: r.label,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** Stops a key working from now on (the row stays, for the audit trail). */
export async function revokeApiKey(db: DataSource, id: string): Promise<boolean> {
  const [, count] = (await db.query(
    `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
    [id],
  )) as [unknown, number];
  return count > 0;
}

/** The principal a live key stands for, or undefined (unknown, revoked or malformed key). */
export async function principalForApiKey(
  db: DataSource,
  key: string,
): Promise<Principal | undefined> {
  if (!KEY.test(key)) return undefined;
  const rows = (await db.query(
    `SELECT id, role, authority FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashApiKey(key)],
  )) as { id: string; role: Role; authority: string | null }[];
  if (!rows.length) return undefined;
  const claims: PrincipalClaims = {
    subject: `api-key:${rows[0].id}`,
    role: rows[0].role,
    authority: rows[0].authority,
  };
  return principalProblem(claims) ? undefined : { ...claims, via: 'api-key' };
}
