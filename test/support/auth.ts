import { Role, issueToken } from '@app/security';

/**
 * The headers a test sends to act as a role of an authority (`null` = national): a real signed
 * bearer token, as `outcomes token` would issue. Every request a test makes goes through this,
 * so one place decides how a test authenticates. The key is set for all tests in ./env.ts.
 */
export function as(
  role: Role,
  authority: string | null,
  subject = `${role}.${authority ?? 'national'}`,
): Record<string, string> {
  return { authorization: `Bearer ${token(role, authority, subject)}` };
}

/** A token signed with the tests' key (or another, to see it refused). */
export function token(
  role: Role,
  authority: string | null,
  subject = `${role}.${authority ?? 'national'}`,
  options: { secret?: string; expiresInSeconds?: number; now?: Date } = {},
): string {
  const secret = options.secret ?? process.env.AUTH_JWT_SECRET;
  if (!secret) throw new Error('AUTH_JWT_SECRET is not set: is test/support/env.ts a setup file?');
  return issueToken(secret, { subject, role, authority }, options);
}
