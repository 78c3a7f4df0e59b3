import { randomUUID } from 'node:crypto';
import { Actor } from '@app/recording';
import { Principal } from '@app/security';

/**
 * Who recorded an event: the verified caller's subject (a pseudonymous id, never a name), and the
 * caller's correlation id when it is a safe token (else a fresh one).
 */
export function actorOf(principal: Principal, correlationId?: string): Actor {
  return {
    id: principal.subject,
    correlationId:
      correlationId && /^[A-Za-z0-9_.:-]{1,128}$/.test(correlationId)
        ? correlationId
        : randomUUID(),
  };
}
