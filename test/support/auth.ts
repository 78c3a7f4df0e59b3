import { Role } from '@app/security';

/**
 * The headers a test sends to act as a role of an authority (`null` = national). Every request a
 * test makes goes through this, so one place decides how a test authenticates.
 *
 * Until authentication lands (issue 6) it only names the caller; then it returns a signed bearer
 * token for exactly this role and authority.
 */
export function as(role: Role, authority: string | null): Record<string, string> {
  return { 'x-actor-id': `${role}.${authority ?? 'national'}` };
}
