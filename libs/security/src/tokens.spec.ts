import jwt from 'jsonwebtoken';
import { principalProblem } from './principal';
import { InvalidCredentials, issueToken, verifyToken } from './tokens';

const SECRET = 'unit-test-secret-0123456789-0123456789';

describe('tokens', () => {
  it('round-trips subject, role and authority', () => {
    const token = issueToken(SECRET, { subject: 'kw-17', role: 'keyworker', authority: 'leeds' });
    expect(verifyToken(SECRET, token)).toEqual({
      subject: 'kw-17',
      role: 'keyworker',
      authority: 'leeds',
      via: 'token',
    });
  });

  it('expires after 15 minutes by default', () => {
    const now = new Date(Date.now() - 16 * 60_000);
    const token = issueToken(SECRET, { subject: 'a', role: 'admin', authority: null }, { now });
    expect(() => verifyToken(SECRET, token)).toThrow(
      expect.objectContaining({ reason: 'expired' }),
    );
    const fresh = issueToken(SECRET, { subject: 'a', role: 'admin', authority: null });
    expect(verifyToken(SECRET, fresh).role).toBe('admin');
  });

  it('refuses a token signed with another key', () => {
    const token = issueToken('another-secret-0123456789-0123456789', {
      subject: 'a',
      role: 'admin',
      authority: null,
    });
    expect(() => verifyToken(SECRET, token)).toThrow(InvalidCredentials);
  });

  it.each([
    [{ subject: 'Jane Smith', role: 'keyworker', authority: 'leeds' }, /subject/],
    [{ subject: 'kw', role: 'root', authority: 'leeds' }, /role/],
    [{ subject: 'kw', role: 'keyworker', authority: null }, /belongs to an authority/],
    [{ subject: 'kw', role: 'keyworker', authority: 'a b' }, /authority/],
  ] as const)('will not issue %j', (claims, message) => {
    expect(() => issueToken(SECRET, claims as never)).toThrow(message);
  });

  it('will not issue a long-lived token', () => {
    expect(() =>
      issueToken(
        SECRET,
        { subject: 'a', role: 'admin', authority: null },
        { expiresInSeconds: 13 * 3600 },
      ),
    ).toThrow(/expiry/);
  });

  /** A token signed with the right key but made by hand, as an attacker holding the key would. */
  const signed = (claims: Record<string, unknown>) =>
    jwt.sign({ sub: 'kw', role: 'keyworker', authority: 'leeds', ...claims }, SECRET, {
      algorithm: 'HS256',
      issuer: 'outcomes-ledger',
      audience: 'outcomes-ledger-api',
      // jsonwebtoken adds an iat unless told not to; the claims given say whether there is one.
      noTimestamp: !('iat' in claims),
    });
  const now = Math.floor(Date.now() / 1000);

  it.each([
    ['an exp ten years out', { iat: now, exp: now + 10 * 365 * 86_400 }],
    ['an iat thirty days ahead', { iat: now + 30 * 86_400, exp: now + 30 * 86_400 + 600 }],
    ['an iat two minutes ahead', { iat: now + 120, exp: now + 600 }],
    ['no iat', { exp: now + 600 }],
    ['no exp', { iat: now }],
    ['a life of 12 h and a second', { iat: now - 60, exp: now - 60 + 12 * 3600 + 1 }],
  ])('refuses a correctly signed token with %s', (_name, claims) => {
    expect(() => verifyToken(SECRET, signed(claims))).toThrow(InvalidCredentials);
  });

  it('accepts the longest life and an iat a little ahead (clock skew)', () => {
    expect(verifyToken(SECRET, signed({ iat: now, exp: now + 12 * 3600 })).subject).toBe('kw');
    expect(verifyToken(SECRET, signed({ iat: now + 30, exp: now + 630 })).subject).toBe('kw');
  });

  it.each(['national', 'National', 'NATIONAL'])(
    "refuses '%s' as an authority's code, in tokens and everywhere a principal is checked",
    (authority) => {
      for (const role of ['keyworker', 'data_manager', 'admin', 'evaluator'] as const) {
        expect(principalProblem({ subject: 'x', role, authority })).toMatch(/scope/);
        expect(() =>
          verifyToken(SECRET, signed({ role, authority, iat: now, exp: now + 60 })),
        ).toThrow(InvalidCredentials);
      }
    },
  );

  it('lets only evaluators and admins hold the national scope', () => {
    expect(principalProblem({ subject: 'x', role: 'admin', authority: null })).toBeUndefined();
    expect(principalProblem({ subject: 'x', role: 'evaluator', authority: null })).toBeUndefined();
    for (const role of ['keyworker', 'manager', 'data_manager'] as const) {
      expect(principalProblem({ subject: 'x', role, authority: null })).toMatch(
        /belongs to an authority/,
      );
    }
  });
});
