import { randomUUID } from 'node:crypto';
import { Actor } from '@app/recording';

/** Until authentication lands, the caller names itself; ids only, never a person's name. */
export function actorFrom(actorId?: string, correlationId?: string): Actor {
  const safe = (v: string | undefined, pattern: RegExp) => (v && pattern.test(v) ? v : undefined);
  return {
    id: safe(actorId, /^[A-Za-z0-9_.:-]{1,64}$/) ?? 'unidentified',
    correlationId: safe(correlationId, /^[A-Za-z0-9_.:-]{1,128}$/) ?? randomUUID(),
  };
}
