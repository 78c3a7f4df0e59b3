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
});
