/**
 * A small integrator's program, written against the client generated from the served OpenAPI
 * document (`openapi-typescript` → ./generated/ledger.d.ts, with `openapi-fetch` doing the calls):
 * refer a family, record an event with If-Match, see a stale If-Match refused, read the family
 * (its ETag) and the outcomes table. The contract test type-checks it with tsc, then runs it.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/ledger';

type Problem = components['schemas']['Problem'];

export interface Run {
  familyId: string;
  recordedRevision: number;
  stale: Problem;
  etag: string | null;
  family: components['schemas']['Family'];
  cohorts: components['schemas']['OutcomesTable']['cohorts'][number]['kind'][];
  domains: number;
}

export async function run(
  baseUrl: string,
  headers: Record<string, string>,
  authority: string,
  /** Resolves once the read models include a log position (they follow the log asynchronously). */
  caughtUp: (position: string) => Promise<void>,
): Promise<Run> {
  const client = createClient<paths>({ baseUrl, headers });

  const referred = await client.POST('/v1/families', {
    params: { header: { 'Idempotency-Key': `refer-${authority}` } },
    body: {
      authority,
      programme: 'fip',
      referral: { source: 'police', reasons: ['asb'], occurredAt: '2025-01-10' },
      members: [{ memberId: 'c1', role: 'child' }],
    },
  });
  if (!referred.data) throw new Error(`refer: ${referred.error?.detail}`);
  const { familyId, revision } = referred.data;

  const ifMatch = `"${revision}"`;
  const recorded = await client.POST('/v1/families/{familyId}/events', {
    params: { path: { familyId }, header: { 'If-Match': ifMatch } },
    body: { type: 'InterventionOffered', occurredAt: '2025-01-20', data: {} },
  });
  if (!recorded.data) throw new Error(`record: ${recorded.error?.detail}`);

  // The same If-Match again is stale now. (The event union is discriminated by `type`, so
  // `data` is typed as InterventionRefused's payload here.)
  const again = await client.POST('/v1/families/{familyId}/events', {
    params: { path: { familyId }, header: { 'If-Match': ifMatch } },
    body: {
      type: 'InterventionRefused',
      occurredAt: '2025-02-01',
      data: { stage: 'offer', reason: 'not now' },
    },
  });
  if (again.response.status !== 412 || !again.error) throw new Error('a stale If-Match was taken');

  await caughtUp(recorded.data.position);
  const family = await client.GET('/v1/families/{familyId}', { params: { path: { familyId } } });
  if (!family.data) throw new Error(`read: ${family.error?.detail}`);

  const outcomes = await client.GET('/v1/outcomes', {
    params: { query: { authority, programme: 'fip' } },
  });
  if (!outcomes.data) throw new Error(`outcomes: ${outcomes.error?.detail}`);

  return {
    familyId,
    recordedRevision: recorded.data.revision,
    stale: again.error,
    etag: family.response.headers.get('etag'),
    family: family.data,
    // Both cohorts, always: the typed answer names them.
    cohorts: outcomes.data.cohorts.map((c) => c.kind),
    domains: outcomes.data.cohorts[0].domains.length,
  };
}
