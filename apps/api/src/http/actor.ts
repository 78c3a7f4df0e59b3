import { Actor } from '@app/recording';
import { Principal } from '@app/security';

/** Who recorded an event: the verified caller's subject (a pseudonymous id, never a name). */
export const actorOf = (principal: Principal, correlationId: string): Actor => ({
  id: principal.subject,
  correlationId,
});
