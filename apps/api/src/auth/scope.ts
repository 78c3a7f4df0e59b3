import { Permission, Principal, can } from '@app/security';
import { ForbiddenException } from '@nestjs/common';

/**
 * Whether the caller may see records of this authority (national callers see all); null is
 * every authority's (a national return), which only national callers see.
 */
export const sees = (principal: Principal, authority: string | null): boolean =>
  principal.authority === null || principal.authority === authority;

/**
 * The authority a list or aggregate is limited to: a scoped caller's own (asking for another is
 * refused, never silently answered for a different one), or whatever a national caller asked.
 */
export function scopedAuthority(principal: Principal, asked?: string): string | undefined {
  if (principal.authority === null) return asked;
  if (asked !== undefined && asked !== principal.authority) {
    const message = `authority must be your own (${principal.authority})`;
    throw new ForbiddenException({
      statusCode: 403,
      error: 'Forbidden',
      code: 'outside_authority',
      message,
      errors: [{ field: 'authority', rule: 'own_authority', message }],
    });
  }
  return principal.authority;
}

/**
 * Refuses (403 `national_only`) a caller who may not see every authority at once: one without the
 * national scope, or (given) without the permission the every-authority form of a request needs.
 */
export function requireNational(principal: Principal, what: string, permission?: Permission): void {
  if (principal.authority === null && (!permission || can(principal, permission))) return;
  const message = `${what} covers every authority: national callers${permission ? ` with ${permission}` : ''} only`;
  throw new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    code: 'national_only',
    message,
    ...(permission ? { permission } : {}),
  });
}
