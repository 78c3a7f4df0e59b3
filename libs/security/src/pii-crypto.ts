/**
 * The cryptography of personal data, pure (node:crypto only): AES-256-GCM throughout.
 *
 * - Each family has its own 256-bit data key; it is stored only wrapped (sealed) with the master
 *   key, so a database dump without the master key reveals nothing, and deleting the family's key
 *   row makes its details unreadable for good (crypto-shredding).
 * - A seal binds the family and member ids as additional authenticated data, so a sealed blob
 *   cannot be moved to another family or member.
 * - The IV is synthetic: an HMAC of the ids and the clear text under a key derived from the data
 *   key (as AES-SIV does). The same details under the same key seal to the same blob, which keeps
 *   retried requests idempotent (a retry compares equal to what was stored); the only thing it
 *   reveals is that two seals of one family hold equal details, and an IV repeats only for an
 *   identical message, which GCM tolerates.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { PersonalDetails, SealedDetails, sortedKeysJson } from '@app/domain';

const ALG = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;

export class PersonalDataError extends Error {
  override readonly name = 'PersonalDataError';
}

/** A family's data key, in memory only. */
export interface DataKey {
  keyId: string;
  key: Buffer;
}

export const newDataKey = (keyId: string): DataKey => ({ keyId, key: randomBytes(KEY_BYTES) });

/** Parses the master key: 32 bytes as 64 hex digits or base64. */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new PersonalDataError('PII_MASTER_KEY must be 32 bytes (64 hex digits or base64)');
  }
  return key;
}

function encrypt(key: Buffer, iv: Buffer, plain: Buffer, aad: string) {
  const cipher = createCipheriv(ALG, key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

function decrypt(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv(ALG, key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new PersonalDataError('sealed data failed authentication');
  }
}

/** The data key wrapped with the master key, as one base64 string (iv | tag | ciphertext). */
export function wrapKey(master: Buffer, familyId: string, dataKey: DataKey): string {
  const iv = randomBytes(IV_BYTES);
  const { ciphertext, tag } = encrypt(master, iv, dataKey.key, wrapAad(familyId, dataKey.keyId));
  return Buffer.concat([iv, tag, ciphertext]).toString('base64');
}

export function unwrapKey(
  master: Buffer,
  familyId: string,
  keyId: string,
  wrapped: string,
): DataKey {
  const bytes = Buffer.from(wrapped, 'base64');
  const key = decrypt(
    master,
    bytes.subarray(0, IV_BYTES),
    bytes.subarray(IV_BYTES, IV_BYTES + 16),
    bytes.subarray(IV_BYTES + 16),
    wrapAad(familyId, keyId),
  );
  return { keyId, key };
}

const wrapAad = (familyId: string, keyId: string) => `family-key|${familyId}|${keyId}`;
const sealAad = (familyId: string, memberId: string, keyId: string) =>
  `member-details|${familyId}|${memberId}|${keyId}`;

export function sealDetails(
  dataKey: DataKey,
  familyId: string,
  memberId: string,
  details: PersonalDetails,
): SealedDetails {
  const aad = sealAad(familyId, memberId, dataKey.keyId);
  const plain = Buffer.from(sortedKeysJson(details));
  const macKey = Buffer.from(hkdfSync('sha256', dataKey.key, '', 'synthetic-iv', KEY_BYTES));
  const iv = createHmac('sha256', macKey)
    .update(aad)
    .update('\0')
    .update(plain)
    .digest()
    .subarray(0, IV_BYTES);
  const { ciphertext, tag } = encrypt(dataKey.key, iv, plain, aad);
  return {
    alg: 'A256GCM',
    keyId: dataKey.keyId,
    iv: iv.toString('base64'),
    tag: tag.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

export function openDetails(
  dataKey: DataKey,
  familyId: string,
  memberId: string,
  sealed: SealedDetails,
): PersonalDetails {
  const tag = Buffer.from(sealed.tag, 'base64');
  if (sealed.keyId !== dataKey.keyId || tag.length !== 16) {
    throw new PersonalDataError('sealed with another key');
  }
  const plain = decrypt(
    dataKey.key,
    Buffer.from(sealed.iv, 'base64'),
    tag,
    Buffer.from(sealed.ciphertext, 'base64'),
    sealAad(familyId, memberId, dataKey.keyId),
  );
  return JSON.parse(plain.toString('utf8')) as PersonalDetails;
}

/** Constant-time equality of two keys (for tests and key checks). */
export const sameKey = (a: DataKey, b: DataKey) =>
  a.keyId === b.keyId && timingSafeEqual(a.key, b.key);
