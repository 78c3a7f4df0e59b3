import { ConfigInvalid, Env, loadConfig } from '@app/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DISCLOSURE } from './disclosure';
import { ExtractRow, disclosedExtract } from './extract';
import { extractRecipientsFrom, parseExtractRecipients, recipientOf } from './recipients';

const recipientsFromEnv = (env: Env) => extractRecipientsFrom(loadConfig(env).extractRecipientKeys);

const KEY_A = 'a'.repeat(40);
const KEY_B = 'b'.repeat(40);
const ID_A = '0b6f3c1e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';
const ID_B = '1c7a4d2f-2e3b-4d4c-8f9a-8b7c6d5e4f3a';
const V = 'EXTRACT_RECIPIENT_KEYS';

/** The ConfigInvalid `f` throws (fails the test when it throws nothing, or something else). */
function invalid(f: () => unknown): ConfigInvalid {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigInvalid) return e;
    throw e;
  }
  throw new Error('no ConfigInvalid thrown');
}

describe('extract recipients', () => {
  it('binds each recipient to its key and its API keys, one recipient a key', () => {
    const r = parseExtractRecipients(
      {
        natcen: { key: KEY_A, apiKeys: [ID_A.toUpperCase()] },
        dfe: { key: KEY_B, apiKeys: [ID_B] },
      },
      V,
    );
    expect(r.byName.get('natcen')).toEqual({ name: 'natcen', key: KEY_A, apiKeys: [ID_A] });
    expect(r.byApiKey.get(ID_B)?.name).toBe('dfe');
    expect(recipientOf(r, { subject: `api-key:${ID_A}`, via: 'api-key' })?.name).toBe('natcen');
    expect(recipientOf(r, { subject: `api-key:${ID_B}`, via: 'api-key' })?.key).toBe(KEY_B);
    // A token whose subject names a bound key is still a token: anyone may choose a subject.
    expect(recipientOf(r, { subject: `api-key:${ID_A}`, via: 'token' })).toBeUndefined();
    expect(
      recipientOf(r, { subject: 'api-key:2d8b5e3a-3f4c-4e5d-9a0b-9c8d7e6f5a4b', via: 'api-key' }),
    ).toBeUndefined();
  });

  it('refuses, naming the variable and the recipient, every malformed entry; never a key', () => {
    const cases: [unknown, RegExp][] = [
      [[KEY_A], /JSON object/],
      [{ 'Nat Cen': { key: KEY_A, apiKeys: [ID_A] } }, /"Nat Cen" is not a lower-case code/],
      [{ natcen: KEY_A }, /recipient natcen: must be .*bare key is no longer accepted/],
      [{ natcen: { key: 'short', apiKeys: [ID_A] } }, /recipient natcen: key must be .*32/],
      [{ natcen: { key: KEY_A } }, /recipient natcen: apiKeys must list/],
      [{ natcen: { key: KEY_A, apiKeys: [] } }, /recipient natcen: apiKeys must list/],
      [{ natcen: { key: KEY_A, apiKeys: ['olk_x'] } }, /"olk_x", not an API key id/],
      [{ natcen: { key: KEY_A, apiKeys: [ID_A], role: 'x' } }, /unknown field role/],
      [
        { natcen: { key: KEY_A, apiKeys: [ID_A] }, dfe: { key: KEY_B, apiKeys: [ID_A] } },
        /API key .* is bound to both natcen and dfe/,
      ],
    ];
    for (const [raw, message] of cases) {
      const e = invalid(() => parseExtractRecipients(raw, V));
      expect(e.message).toMatch(new RegExp(`^configuration invalid: ${V}: `));
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain(KEY_A);
      expect(e.message).not.toContain(KEY_B);
    }
  });

  it('reads them from the environment or a file, none by default, and never quotes bad JSON', () => {
    expect(recipientsFromEnv({}).byName.size).toBe(0);
    const json = JSON.stringify({ dfe: { key: KEY_B, apiKeys: [ID_B] } });
    expect(recipientsFromEnv({ [V]: json }).byApiKey.get(ID_B)?.name).toBe('dfe');
    const dir = mkdtempSync(join(tmpdir(), 'recipients-'));
    writeFileSync(join(dir, 'r.json'), json);
    const file = recipientsFromEnv({ [`${V}_FILE`]: join(dir, 'r.json') });
    expect(file.byName.get('dfe')?.key).toBe(KEY_B);
    const bad = invalid(() => recipientsFromEnv({ [V]: `{"dfe": "${KEY_B}"` }));
    expect(bad.message).toBe(`configuration invalid: ${V}: is not valid JSON`);
    const missing = invalid(() => recipientsFromEnv({ [`${V}_FILE`]: join(dir, 'none.json') }));
    expect(missing.message).toMatch(/EXTRACT_RECIPIENT_KEYS_FILE: cannot read .*\(ENOENT\)/);
  });
});

describe('extract rows under the disclosure threshold', () => {
  const row = (i: number): ExtractRow => ({
    pseudonym: i.toString(16).padStart(64, '0'),
    episode: 1,
    programme: 'fip',
    referredMonth: '2025-01',
    exitedMonth: '2025-11',
    exitType: 'planned',
    domains: {},
  });
  it('publishes no rows or at least the threshold, and says which', () => {
    const t = DEFAULT_DISCLOSURE.threshold;
    for (let n = 0; n <= t + 2; n++) {
      const rows = Array.from({ length: n }, (_, i) => row(i));
      const out = disclosedExtract(rows, DEFAULT_DISCLOSURE);
      const withheld = n > 0 && n < t;
      expect(out.rows).toEqual(withheld ? [] : rows);
      expect(out.disclosure.rows).toBe(withheld ? 'withheld' : 'all');
      expect(out.disclosure.threshold).toBe(t);
      expect(out.disclosure.rule).toMatch(/at least 5.*1 to 4/);
      expect(out.rows.length === 0 || out.rows.length >= t).toBe(true);
    }
  });
});
