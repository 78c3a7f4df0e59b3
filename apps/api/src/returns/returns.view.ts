import { StoredReturn, scopeName } from '@app/returns';

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
