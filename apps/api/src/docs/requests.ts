/** What each route of the API takes and answers, listed once (the OpenAPI document reads it). */
export type RequestHeader = 'If-Match' | 'Idempotency-Key';
export type ResponseHeader = 'ETag' | 'Link';
export interface Request {
  summary: string;
  /** The DTOs (schema name = class name) the route validates its body, query or path with. */
  body?: string;
  query?: string;
  path?: string;
  /** The schema of its success answer (JSON). */
  response?: string;
  /** The schema of its 503 answer when that is not a problem (the health probes' reports). */
  unavailable?: string;
  headers?: RequestHeader[];
  responseHeaders?: ResponseHeader[];
}

/**
 * What each route takes and answers. (The errors it answers come from `@ApiProblems` and the
 * route's shape; a `Link` header from a `cursor` in its query.)
 */
export const REQUESTS: Record<string, Request> = {
  'POST /v1/families': {
    body: 'ReferFamilyRequest',
    response: 'Referred',
    headers: ['Idempotency-Key'],
    summary: 'Refer a new family',
  },
  'POST /v1/families/{familyId}/events': {
    body: 'RecordEventRequest',
    response: 'Recorded',
    headers: ['If-Match', 'Idempotency-Key'],
    summary: "Record one event on a family's timeline",
  },
  'POST /v1/events/batch': {
    body: 'BatchRequest',
    response: 'BatchAnswer',
    summary: 'Record up to 1,000 events',
  },
  'GET /v1/families': {
    query: 'ListFamiliesQuery',
    response: 'FamilyPage',
    summary: 'List families (own authority)',
  },
  'GET /v1/code-lists': {
    query: 'CodeListsQuery',
    response: 'CodeListsAnswer',
    summary: 'Every code a coded field takes, with its display name',
  },
  'GET /v1/families/{familyId}': {
    response: 'Family',
    responseHeaders: ['ETag'],
    summary: "A family's current episode and status",
  },
  'GET /v1/families/{familyId}/timeline': {
    response: 'Timeline',
    summary: "A family's events in occurredAt order",
  },
  'GET /v1/outcomes': {
    query: 'DisclosedOutcomesQuery',
    response: 'OutcomesTable',
    summary: 'NatCen-style outcomes table (JSON, or CSV with Accept: text/csv)',
  },
  'GET /v1/outcomes/chart.svg': {
    query: 'DisclosedOutcomesQuery',
    summary: 'The outcomes table as an SVG chart',
  },
  'GET /v1/cohorts/summary': {
    query: 'DisclosedSummaryQuery',
    response: 'CohortSummary',
    summary: 'Every family referred, whatever became of it',
  },
  'GET /v1/follow-ups': {
    query: 'ListFollowUpsQuery',
    response: 'FollowUpPage',
    summary: 'The follow-up queue',
  },
  'POST /v1/follow-ups/{followUpId}/assign': {
    body: 'AssignRequest',
    response: 'FollowUpRecorded',
    summary: 'Give a revisit to a worker',
  },
  'POST /v1/follow-ups/{followUpId}/complete': {
    body: 'CompleteRequest',
    response: 'FollowUpRecorded',
    summary: 'Record a revisit done, with its assessment',
  },
  'POST /v1/follow-ups/{followUpId}/missed': {
    body: 'MissedRequest',
    response: 'FollowUpRecorded',
    summary: 'Record a revisit missed',
  },
  'POST /v1/families/{familyId}/transfer': {
    body: 'TransferRequest',
    response: 'Recorded',
    summary: 'Hand a family to another authority',
  },
  'GET /v1/savings': {
    query: 'SavingsQuery',
    response: 'Savings',
    summary: 'Cost avoidance, per agency',
  },
  'GET /v1/savings/unit-costs': {
    response: 'UnitCosts',
    summary: 'The unit-cost tables and their sources',
  },
  'GET /v1/programme-costs/{authority}': {
    path: 'AuthorityPath',
    response: 'ProgrammeCosts',
    summary: "An authority's programme costs",
  },
  'PUT /v1/programme-costs/{authority}/{programme}/{year}': {
    body: 'ProgrammeCostBody',
    path: 'ProgrammeCostPath',
    response: 'ProgrammeCost',
    summary: 'Enter a programme cost for a year',
  },
  'GET /v1/returns': {
    query: 'ListReturnsQuery',
    response: 'ReturnPage',
    summary: "The caller's authority's returns, newest first (paged)",
  },
  'POST /v1/returns': {
    body: 'CreateReturnRequest',
    response: 'ReturnAccepted',
    summary: 'Build a national return (202)',
  },
  'GET /v1/returns/{id}': {
    response: 'Return',
    summary: "A return's status, progress and provenance",
  },
  'GET /v1/returns/{id}/content': {
    query: 'ContentQuery',
    summary: "A return's content: JSON, CSV or HTML (tables and chart)",
  },
  'GET /v1/returns/{id}/diff/{otherId}': {
    summary: 'Cells changed since another return, and the late events that changed them',
  },
  'GET /v1/returns/{id}/extract': {
    query: 'ExtractQuery',
    summary:
      "Record-level extract under the pseudonyms of the recipient the caller's API key is bound to (else 403)",
  },
  'POST /v1/families/{familyId}/erasure': {
    response: 'Erasure',
    summary: "Erase a family's personal data",
  },
  'GET /v1/audit': {
    query: 'AuditQuery',
    response: 'AuditPage',
    summary: 'The audit trail, newest first',
  },
  'GET /health': {
    response: 'Health',
    unavailable: 'Health',
    summary: 'Each dependency and projection: up, down or lagging',
  },
  'GET /health/live': { response: 'Live', summary: 'Liveness: the process answers' },
  'GET /health/ready': {
    response: 'Ready',
    unavailable: 'NotReady',
    summary: 'Readiness: PostgreSQL and the event store answer (else 503)',
  },
  'GET /metrics': { summary: 'Prometheus metrics (text exposition format)' },
};
