import { pseudonym } from './pseudonyms';

const KEY_A = 'a'.repeat(40);
const KEY_B = 'b'.repeat(40);
const FAMILY = '3f1c2a9e-8a4b-4c1d-9e2f-0a1b2c3d4e5f';

describe('pseudonyms', () => {
  it('are stable for one recipient, different between recipients, and not the id', () => {
    expect(pseudonym(KEY_A, FAMILY)).toBe(pseudonym(KEY_A, FAMILY.toUpperCase()));
    expect(pseudonym(KEY_A, FAMILY)).not.toBe(pseudonym(KEY_B, FAMILY));
    expect(pseudonym(KEY_A, FAMILY)).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonym(KEY_A, FAMILY)).not.toContain(FAMILY.slice(0, 8));
    // HMAC-SHA-256 as published (RFC 4231 test case 2).
    expect(pseudonym('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
