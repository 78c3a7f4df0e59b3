import {
  PersonalDataError,
  newDataKey,
  openDetails,
  parseMasterKey,
  sealDetails,
  unwrapKey,
  wrapKey,
} from './pii-crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env, loadConfig } from '@app/config';
import { masterKeyFrom } from './personal-data';

const masterKeyFromEnv = (env: Env) => masterKeyFrom(loadConfig(env));

describe('personal-data cryptography', () => {
  const master = parseMasterKey('cd'.repeat(32));
  const key = newDataKey('0b6f4a53-5f43-4b43-8d5b-0d1f2b9c0a11');
  const details = { name: 'Ada Example', dateOfBirth: '1990-01-02', address: '1 High St' };

  it('seals without the clear text and opens it again', () => {
    const sealed = sealDetails(key, 'fam-1', 'm1', details);
    expect(JSON.stringify(sealed)).not.toMatch(/Ada|High St|1990/);
    expect(openDetails(key, 'fam-1', 'm1', sealed)).toEqual(details);
  });

  it('seals the same details under one key to the same blob (idempotent retries), others differently', () => {
    expect(sealDetails(key, 'fam-1', 'm1', details)).toEqual(
      sealDetails(key, 'fam-1', 'm1', details),
    );
    const other = sealDetails(key, 'fam-1', 'm1', { ...details, name: 'Ada Exampel' });
    expect(other.iv).not.toBe(sealDetails(key, 'fam-1', 'm1', details).iv);
    expect(sealDetails(newDataKey(key.keyId), 'fam-1', 'm1', details).ciphertext).not.toBe(
      sealDetails(key, 'fam-1', 'm1', details).ciphertext,
    );
  });

  it('will not open a seal moved to another family or member, tampered, or under another key', () => {
    const sealed = sealDetails(key, 'fam-1', 'm1', details);
    expect(() => openDetails(key, 'fam-2', 'm1', sealed)).toThrow(PersonalDataError);
    expect(() => openDetails(key, 'fam-1', 'm2', sealed)).toThrow(PersonalDataError);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() =>
      openDetails(key, 'fam-1', 'm1', { ...sealed, ciphertext: flipped.toString('base64') }),
    ).toThrow(PersonalDataError);
    expect(() => openDetails(newDataKey(key.keyId), 'fam-1', 'm1', sealed)).toThrow(
      PersonalDataError,
    );
  });

  it('wraps data keys with the master key, bound to their family', () => {
    const wrapped = wrapKey(master, 'fam-1', key);
    expect(wrapped).not.toContain(key.key.toString('base64'));
    expect(unwrapKey(master, 'fam-1', key.keyId, wrapped).key.equals(key.key)).toBe(true);
    expect(() => unwrapKey(master, 'fam-2', key.keyId, wrapped)).toThrow(PersonalDataError);
    expect(() => unwrapKey(parseMasterKey('ab'.repeat(32)), 'fam-1', key.keyId, wrapped)).toThrow(
      PersonalDataError,
    );
  });

  it('takes the master key from PII_MASTER_KEY and refuses production without it', () => {
    expect(masterKeyFromEnv({ PII_MASTER_KEY: 'ab'.repeat(32) })).toEqual(Buffer.alloc(32, 0xab));
    expect(masterKeyFromEnv({ PII_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') })).toEqual(
      Buffer.alloc(32, 7),
    );
    // Development: a random key in an owner-only file, the same for every process that asks.
    const file = join(mkdtempSync(join(tmpdir(), 'pii-')), 'key');
    const dev = masterKeyFromEnv({ PII_DEV_KEY_FILE: file });
    expect(dev).toHaveLength(32);
    expect(masterKeyFromEnv({ PII_DEV_KEY_FILE: file })).toEqual(dev);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => masterKeyFromEnv({ NODE_ENV: 'production' })).toThrow(/PII_MASTER_KEY/);
    expect(() => parseMasterKey('too-short')).toThrow(/32 bytes/);
  });
});
