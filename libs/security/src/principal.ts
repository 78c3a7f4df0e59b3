import { NATIONAL, namesNational } from '@app/domain';
import { GRANTS, Principal, ROLES, Role } from './roles';

/** Subjects are pseudonymous ids (staff numbers, system names), never a person's name. */
export const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/;
/** Authority codes, as in the records (`FamilyReferred.authority`). */
export const AUTHORITY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** Only these roles may be national (authority `null`): they never see a family's record. */
export const NATIONAL_ROLES: readonly Role[] = ROLES.filter((r) =>
  GRANTS[r].includes('scope:national'),
);

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * Why a would-be principal is not one, or undefined when it is well formed. One rule for tokens,
 * API keys and the CLI that issues them, so nothing can mint what the API would refuse.
 */
export function principalProblem(p: {
  subject?: unknown;
  role?: unknown;
  authority?: unknown;
}): string | undefined {
  if (typeof p.subject !== 'string' || !SUBJECT.test(p.subject)) {
    return 'subject must be an id of letters, digits, _ . : @ - (at most 64)';
  }
  if (!isRole(p.role)) return `role must be one of: ${ROLES.join(', ')}`;
  if (p.authority === null) {
    return NATIONAL_ROLES.includes(p.role)
      ? undefined
      : `a ${p.role} belongs to an authority (only ${NATIONAL_ROLES.join(' and ')} may be national)`;
  }
  if (typeof p.authority !== 'string' || !AUTHORITY.test(p.authority)) {
    return 'authority must be a code of letters, digits, _ . : - (or null for national)';
  }
  if (namesNational(p.authority)) {
    return `'${NATIONAL}' is a scope, not an authority's code (a national principal has authority null)`;
  }
  return undefined;
}

export type PrincipalClaims = Pick<Principal, 'subject' | 'role' | 'authority'>;
