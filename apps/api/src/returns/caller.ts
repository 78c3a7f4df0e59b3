import { Principal, ROLES, Role } from '@app/security';

/**
 * The caller: the verified principal once authentication is in place; until then the
 * `x-actor-id: <role>.<authority>` name tests send (test/support/auth.ts). Remove the fallback
 * when the auth guard lands.
 */
export function callerOf(principal: Principal | undefined, actorId: string | undefined): Principal {
  if (principal) return principal;
  const [role, authority] = (actorId ?? '').split('.');
  return {
    subject: actorId ?? 'unidentified',
    role: (ROLES as readonly string[]).includes(role) ? (role as Role) : 'keyworker',
    authority: !authority || authority === 'national' ? null : authority,
    via: 'token',
  };
}
