import { Queryable } from '@app/projections';
import { StoredReturn, findReturn, scopeName } from '@app/returns';
import { Principal } from '@app/security';
import { NotFoundException } from '@nestjs/common';
import { sees } from '../auth/scope';

/** A return of the caller's authority (national callers see every one); else not found. */
export async function visibleReturn(
  db: Queryable,
  id: string,
  caller: Principal,
): Promise<StoredReturn> {
  const r = await findReturn(db, id);
  if (!r || !sees(caller, r.authority)) {
    throw new NotFoundException({ message: `no return ${id}` });
  }
  return r;
}

/** A stored return as the API answers it (its content is served apart). */
export const view = (r: StoredReturn) => ({
  id: r.id,
  authority: scopeName(r.authority),
  periodStart: r.periodStart,
  periodEnd: r.periodEnd,
  spec: r.spec,
  status: r.status,
  progress: r.progress,
  position: r.position.toString(),
  requestedAt: r.requestedAt,
  builtAt: r.builtAt,
  provenance: r.provenance,
  ...(r.error ? { error: r.error } : {}),
});
