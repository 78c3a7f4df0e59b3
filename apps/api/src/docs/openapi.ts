/**
 * The OpenAPI document and browsable docs (`/docs`, `/docs-json`). Request schemas come from the
 * class-validator DTOs the API validates with (class-validator-jsonschema), so the docs describe
 * exactly the rules a request is checked against; which DTO a route takes is listed once below.
 *
 * The docs are public: they are served outside the controllers (so the auth guard never sees
 * them) and hold no data, only the shape of the API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { dirname, join } from 'node:path';
import { EXIT_TYPES } from '@app/domain';
import { PAYLOADS, RECORDABLE_TYPES } from '@app/recording';
import { INestApplication, ParseUUIDPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { RouteInfo, routesOf } from '../auth/routes';
import { EVENT_EXAMPLES, EXAMPLE_DATE } from './examples';
import { PROBLEMS_KEY } from './problems';

// class-transformer publishes its metadata storage only as this deep path (no typings there).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: NonNullable<
    Parameters<typeof validationMetadatasToSchemas>[0]
  >['classTransformerMetadataStorage'];
};

export const DOCS_PATH = 'docs';

type Schema = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

type RequestHeader = 'If-Match' | 'Idempotency-Key';
type ResponseHeader = 'ETag' | 'Link';
interface Request {
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
    summary: 'Record-level extract under pseudonyms (accredited evaluators)',
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

/** JSON schemas of every class-validator DTO loaded, by class name. */
function dtoSchemas(): Record<string, Schema> {
  const storage = getMetadataStorage() as unknown as {
    getTargetValidatorConstraints(target: unknown): { name: string }[];
  };
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    // `@Type(() => MemberDto)` names what an array holds (else the reflected type, `Array`).
    classTransformerMetadataStorage: defaultMetadataStorage,
    additionalConverters: {
      // A date or a date-time; the library's `oneOf` would claim a value cannot be both.
      isIso8601: { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] },
      // Our own decorators (registerDecorator) are "custom": name the ones with a known shape.
      customValidation: (meta) => {
        const [constraint] = storage.getTargetValidatorConstraints(meta.constraintCls);
        return CUSTOM_SCHEMAS[constraint?.name ?? ''] ?? {};
      },
    },
  }) as Record<string, Schema>;
  // A DTO that only extends another (MemberDetailsPayload) has no metadata of its own.
  for (const cls of Object.values(PAYLOADS) as (new () => object)[]) {
    let parent = Object.getPrototypeOf(cls) as { name?: string } | null;
    while (!schemas[cls.name] && parent?.name) {
      if (schemas[parent.name]) schemas[cls.name] = structuredClone(schemas[parent.name]);
      parent = Object.getPrototypeOf(parent) as { name?: string } | null;
    }
  }
  // Unknown fields are refused (whitelist + forbidNonWhitelisted): say so.
  for (const schema of Object.values(schemas)) schema.additionalProperties = false;
  return schemas;
}

const CUSTOM_SCHEMAS: Record<string, Schema> = {
  isEffectiveDate: {
    type: 'string',
    description: 'ISO 8601 date or date-time with offset, from 1900 on',
    example: EXAMPLE_DATE,
  },
  isBirthDate: {
    type: 'string',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    description: 'A date of birth (YYYY-MM-DD), from 1900 on and not in the future',
    example: '2012-05-17',
  },
};

/** What `ParseUUIDPipe` (no version) accepts, as its `all` pattern says. */
const UUID: Schema = {
  type: 'string',
  format: 'uuid',
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
};

const variantName = (type: string, batch: boolean) => `${type}${batch ? 'BatchItem' : 'Event'}`;

/**
 * One request per event type (its `type` fixed, its `data` that type's payload), and the request
 * as their union discriminated by `type`, as `parseRecordEvent` / `parseBatchItem` validate it.
 */
function eventUnion(s: Record<string, Schema>, batch: boolean): Record<string, Schema> {
  const request = s[batch ? 'BatchItemRequest' : 'RecordEventRequest'];
  const variants = Object.fromEntries(
    RECORDABLE_TYPES.map((type) => [
      variantName(type, batch),
      {
        ...request,
        title: `${type}${batch ? ' (batch item)' : ''}`,
        properties: {
          ...(request.properties as Record<string, Schema>),
          type: { type: 'string', enum: [type] },
          data: ref(PAYLOADS[type].name),
        },
      },
    ]),
  );
  const union: Schema = {
    description: `One event; \`type\` says which, and so what \`data\` holds.`,
    oneOf: Object.keys(variants).map(ref),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(
        RECORDABLE_TYPES.map((t) => [t, ref(variantName(t, batch)).$ref]),
      ),
    },
  };
  return { ...variants, [batch ? 'BatchItemRequest' : 'RecordEventRequest']: union };
}

/** Schemas assembled from DTOs where one request is validated in parts. */
function assembled(s: Record<string, Schema>): Record<string, Schema> {
  const props = (name: string) => (s[name]?.properties ?? {}) as Record<string, Schema>;
  const referral = props('FamilyReferredPayload');
  return {
    EmptyPayload: { type: 'object', additionalProperties: false, properties: {} },
    ...eventUnion(s, false),
    ...eventUnion(s, true),
    BatchRequest: {
      ...s.BatchRequest,
      properties: { events: { ...props('BatchRequest').events, items: ref('BatchItemRequest') } },
    },
    ReferFamilyRequest: {
      type: 'object',
      additionalProperties: false,
      required: ['authority', 'programme', 'referral'],
      properties: {
        familyId: props('ReferFamilyRequestEnvelope').familyId,
        authority: referral.authority,
        programme: referral.programme,
        referral: {
          type: 'object',
          additionalProperties: false,
          required: ['source', 'reasons', 'occurredAt'],
          properties: {
            source: referral.source,
            reasons: referral.reasons,
            eligibilityCriteria: referral.eligibilityCriteria,
            occurredAt: props('ReferralRequestFields').occurredAt,
          },
        },
        members: referral.members,
      },
    },
    ...RESPONSE_SCHEMAS,
  };
}

const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
const object = (properties: Record<string, Schema>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  properties,
});
const STRING = { type: 'string' };
const REVISION = { type: 'integer', minimum: 0, description: 'The family stream revision' };
const POSITION = { type: 'string', description: 'Global log position (a decimal bigint)' };

/** A fixed shape: every field always sent, no other. */
const exactly = (properties: Record<string, Schema>, required = Object.keys(properties)) => ({
  ...object(properties, required),
  additionalProperties: false,
});
const INTEGER = { type: 'integer' };
const COUNT = { type: 'integer', minimum: 0 };
const BOOLEAN = { type: 'boolean' };
const TIME = { type: 'string', format: 'date-time' };
const array = (items: Schema) => ({ type: 'array', items });
const page = (item: string) =>
  exactly({
    items: array(ref(item)),
    nextCursor: nullable({ ...STRING, description: 'The next page (also in `Link: rel="next"`)' }),
  });
/** A figure under disclosure control: the number, or `[c]` where it is suppressed. */
const FIGURE = {
  anyOf: [
    { type: 'number', nullable: true },
    { type: 'string', enum: ['[c]'] },
  ],
};
const figures = (names: string[]) => exactly(Object.fromEntries(names.map((n) => [n, FIGURE])));
const DEPENDENCY = { type: 'string', enum: ['up', 'down', 'lagging'] };
/** Money, pence-exact, as a decimal string (or `[c]` under disclosure). */
const MONEY = { type: 'string', pattern: '^(-?\\d+\\.\\d{2}|\\[c\\])$' };
const PERIODS = exactly({ baselineToExit: MONEY, baselineToFollowUp: MONEY });
const TRANSITIONS = figures(['pairs', 'improved', 'worsened']);

/** The filters applied, echoed, and the time the figures are as at. */
const FILTERS = { type: 'object', required: ['asAt'], properties: { asAt: STRING } };

/** What disclosure control did (`?disclosure=on`, and always for evaluators). */
const DISCLOSURE = exactly({
  threshold: COUNT,
  symbol: { type: 'string', enum: ['[c]'] },
  rule: STRING,
  suppressed: exactly({ primary: COUNT, secondary: COUNT }),
});

/** The other routes' answers (their TypeScript return types, written out). */
const MORE_RESPONSES: Record<string, Schema> = {
  // FollowUpView / FollowUpPage (@app/follow-ups)
  FollowUp: exactly({
    followUpId: UUID,
    familyId: UUID,
    familyReference: STRING,
    keyWorker: nullable(STRING),
    episode: INTEGER,
    authority: STRING,
    programme: STRING,
    exitType: STRING,
    exitedAt: STRING,
    status: {
      type: 'string',
      enum: ['scheduled', 'due', 'overdue', 'completed', 'missed', 'cancelled'],
    },
    dueAt: STRING,
    window: exactly({ opensAt: STRING, closesAt: STRING }),
    overdueAt: STRING,
    policyVersion: INTEGER,
    dueRecordedAt: nullable(STRING),
    assignedWorker: nullable(STRING),
    daysOverdue: nullable(COUNT),
    completedAt: nullable(STRING),
    completedOnTime: nullable(BOOLEAN),
    missedAt: nullable(STRING),
    missedReason: nullable(STRING),
    cancelledAt: nullable(STRING),
    cancelledReason: nullable(STRING),
  }),
  FollowUpPage: page('FollowUp'),
  // assign / complete / missed: `{ followUpId, ...Recorded }`
  FollowUpRecorded: exactly({
    followUpId: UUID,
    familyId: UUID,
    eventId: UUID,
    revision: REVISION,
    position: POSITION,
  }),
  // families.controller.ts `batch`: per item, in order, what was stored or why not
  BatchAnswer: exactly({
    results: array({
      anyOf: [
        exactly({
          index: COUNT,
          status: { type: 'integer', enum: [201] },
          familyId: UUID,
          eventId: UUID,
          revision: REVISION,
          position: POSITION,
        }),
        exactly(
          {
            index: COUNT,
            status: { type: 'integer', minimum: 400 },
            familyId: UUID,
            error: ref('Problem'),
          },
          ['index', 'status', 'error'],
        ),
      ],
    }),
  }),
  // Erasure (personal-data/erasure.controller.ts)
  Erasure: exactly(
    {
      familyId: UUID,
      erased: { type: 'boolean', enum: [true] },
      eventId: { ...UUID, description: 'The FamilyErased event (the first, if erased before)' },
      position: POSITION,
      // Sent by the first erasure only (the recorder's answer spread in); not in `Erasure`.
      revision: REVISION,
    },
    ['familyId', 'erased', 'eventId', 'position'],
  ),
  // AuditRecord (@app/security)
  AuditRecord: exactly({
    id: STRING,
    at: TIME,
    subject: STRING,
    role: STRING,
    authority: nullable(STRING),
    via: STRING,
    method: STRING,
    route: STRING,
    familyIds: array(UUID),
    targetIds: array(STRING),
    status: INTEGER,
    correlationId: STRING,
  }),
  AuditPage: page('AuditRecord'),
  // returns.controller.ts `view(StoredReturn)` and `create`
  Return: exactly(
    {
      id: UUID,
      authority: STRING,
      periodStart: STRING,
      periodEnd: STRING,
      spec: STRING,
      status: STRING,
      progress: { type: 'number', minimum: 0 },
      position: POSITION,
      requestedAt: STRING,
      builtAt: nullable(STRING),
      provenance: nullable({ type: 'object' }),
      error: STRING,
    },
    [
      'id',
      'authority',
      'periodStart',
      'periodEnd',
      'spec',
      'status',
      'progress',
      'position',
      'requestedAt',
      'builtAt',
      'provenance',
    ],
  ),
  ReturnPage: page('Return'),
  ReturnAccepted: exactly({
    id: UUID,
    status: { type: 'string', enum: ['pending'] },
    position: POSITION,
  }),
  // Summary (outcomes/queries.ts: CohortSummary & follow-up rates), figures under disclosure
  CohortSummary: exactly(
    {
      filters: FILTERS,
      referred: FIGURE,
      offered: FIGURE,
      accepted: FIGURE,
      accounting: exactly({
        awaitingOffer: FIGURE,
        awaitingDecision: FIGURE,
        refused: exactly({
          total: FIGURE,
          byStage: figures(['offer', 'support_plan', 'intervention']),
        }),
        ongoing: FIGURE,
        plannedExits: FIGURE,
        otherExits: exactly({
          total: FIGURE,
          byReason: figures(EXIT_TYPES.filter((t) => t !== 'planned')),
        }),
      }),
      movedArea: FIGURE,
      inputs: exactly({
        daysToPlannedExit: figures(['n', 'mean', 'median']),
        weeklyContactHours: exactly({
          supportPlanToFirstReview: figures(['n', 'mean']),
          lastReviewToExit: figures(['n', 'mean']),
        }),
        supportTypes: array(exactly({ type: STRING, families: FIGURE, pct: FIGURE })),
      }),
      followUps: { type: 'object', additionalProperties: FIGURE },
      disclosure: DISCLOSURE,
    },
    [
      'filters',
      'referred',
      'offered',
      'accepted',
      'accounting',
      'movedArea',
      'inputs',
      'followUps',
    ],
  ),
  // SavingsAnswer (savings/queries.ts) and the filters
  Savings: object({
    filters: FILTERS,
    unitCostTable: object({ id: STRING, version: INTEGER }),
    priceIndex: object({ id: STRING, version: INTEGER }),
    priceYear: INTEGER,
    targetPriceYear: INTEGER,
    upliftFactor: STRING,
    families: FIGURE,
    perAgency: array(exactly({ agency: STRING, baselineToExit: MONEY, baselineToFollowUp: MONEY })),
    total: PERIODS,
    perFamily: PERIODS,
    perOutcome: array(
      object({
        outcome: STRING,
        agency: STRING,
        baselineToExit: MONEY,
        baselineToFollowUp: MONEY,
      }),
    ),
    perDomain: array(
      exactly({ domain: STRING, baselineToExit: TRANSITIONS, baselineToFollowUp: TRANSITIONS }),
    ),
  }),
  UnitCosts: object({
    default: STRING,
    tables: array(
      object({ id: STRING, version: INTEGER, ref: STRING, rows: array({ type: 'object' }) }),
    ),
    priceIndexes: array(object({ id: STRING, version: INTEGER })),
  }),
  // ProgrammeCost (@app/savings)
  ProgrammeCost: exactly({
    authority: STRING,
    programme: STRING,
    year: INTEGER,
    amount: STRING,
    note: nullable(STRING),
    recordedBy: STRING,
    recordedAt: STRING,
  }),
  ProgrammeCosts: exactly({ authority: STRING, costs: array(ref('ProgrammeCost')) }),
  // health.controller.ts (DependencyReport)
  Health: exactly(
    {
      status: { type: 'string', enum: ['ok', 'degraded'] },
      database: DEPENDENCY,
      eventStore: DEPENDENCY,
      redis: DEPENDENCY,
      headPosition: POSITION,
      projections: array(
        exactly({
          name: STRING,
          state: DEPENDENCY,
          position: POSITION,
          caughtUp: BOOLEAN,
          lagSeconds: { type: 'number', minimum: 0 },
        }),
      ),
    },
    ['status', 'database', 'eventStore', 'redis', 'projections'],
  ),
  Live: exactly({ status: { type: 'string', enum: ['up'] } }),
  Ready: exactly({ status: { type: 'string', enum: ['ready'] } }),
  NotReady: exactly({
    status: { type: 'string', enum: ['unavailable'] },
    database: DEPENDENCY,
    eventStore: DEPENDENCY,
  }),
};

/** What the routes answer (their TypeScript return types, written out for clients). */
const RESPONSE_SCHEMAS: Record<string, Schema> = {
  Referred: object({ familyId: UUID, revision: REVISION, position: POSITION }),
  Recorded: object({ eventId: UUID, revision: REVISION, position: POSITION }),
  Family: object(
    {
      familyId: UUID,
      authority: STRING,
      programme: STRING,
      status: STRING,
      keyWorker: nullable(STRING),
      movedTo: nullable(STRING),
      revision: REVISION,
      members: { type: 'array', items: { type: 'object' } },
      episode: object({
        number: { type: 'integer' },
        status: STRING,
        referredAt: STRING,
        offeredAt: nullable(STRING),
        acceptedAt: nullable(STRING),
        supportPlanAgreedAt: nullable(STRING),
        refusedAt: nullable(STRING),
        refusalStage: nullable(STRING),
        exitedAt: nullable(STRING),
        exitType: nullable(STRING),
        followUp: STRING,
      }),
    },
    ['familyId', 'authority', 'programme', 'status', 'keyWorker', 'movedTo', 'revision', 'episode'],
  ),
  FamilyPage: object({
    items: { type: 'array', items: ref('Family') },
    nextCursor: nullable({ ...STRING, description: 'The next page (also in `Link: rel="next"`)' }),
  }),
  Timeline: object({
    familyId: UUID,
    events: {
      type: 'array',
      items: object({
        eventId: UUID,
        type: STRING,
        occurredAt: STRING,
        recordedAt: STRING,
        revision: REVISION,
        position: POSITION,
        data: { type: 'object' },
      }),
    },
  }),
  OutcomesTable: {
    type: 'object',
    description: 'The outcomes table: the filters applied, the cohort, and one row per domain.',
    required: ['filters', 'cohort', 'domains'],
    properties: {
      filters: { type: 'object' },
      cohort: { type: 'object' },
      domains: { type: 'array', items: { type: 'object' } },
    },
  },
  ...MORE_RESPONSES,
  Problem: {
    type: 'object',
    description:
      'An error, as RFC 9457 problem details (`application/problem+json`): `type`, `title`, ' +
      '`status`, `detail`; besides them `code` names the rule (409, 412), `errors` each broken ' +
      'field and rule (400), and `statusCode`/`error`/`message` repeat status, title and detail.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri-reference', example: 'about:blank' },
      title: { type: 'string', example: 'Conflict' },
      status: { type: 'integer', minimum: 400, maximum: 599, example: 409 },
      detail: { type: 'string', example: 'a plan can only be agreed after an acceptance' },
      code: { type: 'string', example: 'invariant_violated' },
      statusCode: { type: 'integer' },
      error: { type: 'string' },
      message: { type: 'string' },
      errors: {
        type: 'array',
        items: object({
          field: { type: 'string', example: 'data.reasons' },
          rule: { type: 'string', example: 'arrayMinSize' },
          message: { type: 'string' },
        }),
      },
    },
  },
};

function recordExamples(): Record<string, unknown> {
  return Object.fromEntries(
    RECORDABLE_TYPES.map((type) => [
      type,
      { summary: type, value: { type, occurredAt: EXAMPLE_DATE, data: EVENT_EXAMPLES[type] } },
    ]),
  );
}

const FAMILY = '1f0e4d2c-7a4b-4c55-9d33-2b8f5a6c7e10';
const BODY_EXAMPLES: Record<string, Record<string, unknown>> = {
  RecordEventRequest: recordExamples(),
  BatchRequest: {
    review: {
      summary: 'Two events for one family',
      value: {
        events: [
          {
            familyId: FAMILY,
            type: 'ReviewHeld',
            occurredAt: '2025-03-03',
            data: EVENT_EXAMPLES.ReviewHeld,
          },
          {
            familyId: FAMILY,
            type: 'FamilyExited',
            occurredAt: EXAMPLE_DATE,
            data: EVENT_EXAMPLES.FamilyExited,
          },
        ],
      },
    },
  },
  ReferFamilyRequest: {
    referral: {
      summary: 'A police referral for ASB',
      value: {
        authority: 'leeds',
        programme: 'fip',
        referral: { source: 'police', reasons: ['asb'], occurredAt: '2025-01-10' },
        members: EVENT_EXAMPLES.FamilyReferred.members,
      },
    },
  },
};

/** Request headers a route may take (see ../http/preconditions). */
const HEADERS: Record<RequestHeader, Schema> = {
  'If-Match': {
    description:
      'The revision the write expects, as the family read’s `ETag` gave it (e.g. `"3"`); ' +
      'a stale one is 412. Same as `expectedRevision` (both given: they must agree).',
    schema: { type: 'string', pattern: '^(\\*|"(0|[1-9][0-9]{0,15})")$', example: '"3"' },
  },
  'Idempotency-Key': {
    description:
      'Makes a retry safe: the same key and body twice store one event. A UUID key is the ' +
      'event id; any other (1–255 printable characters) names one for this caller. Same as the ' +
      'body’s `id` (both given: they must agree).',
    schema: { type: 'string', minLength: 1, maxLength: 257, example: FAMILY },
  },
};

const RESPONSE_HEADERS: Record<ResponseHeader, Schema> = {
  ETag: {
    description: 'The family’s revision as a strong entity tag, for If-Match',
    schema: { type: 'string', example: '"3"' },
  },
  Link: {
    description: 'The next page, when there is one: `<…&cursor=…>; rel="next"` (RFC 8288)',
    schema: { type: 'string' },
  },
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

/** The errors a route answers: its own (`@ApiProblems`) and the ones its shape implies. */
function problemsOf(
  route: RouteInfo | undefined,
  request: Request | undefined,
  hasPathParams: boolean,
): Record<string, Schema> {
  const own =
    (route &&
      (Reflect.getMetadata(PROBLEMS_KEY, route.target.controller.prototype[route.target.method]) as
        number[] | undefined)) ??
    [];
  const problem = (description: string, headers?: Schema) => ({
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/problem+json': { schema: ref('Problem') } },
  });
  const takesInput = !!(request?.body || request?.query || request?.headers) || hasPathParams;
  const all: Record<number, Schema | false> = {
    400: takesInput && problem('A field breaks a rule (each named in `errors`); nothing changed'),
    401: !route?.isPublic && problem('No valid token or API key'),
    403: !route?.isPublic && problem('The caller’s role lacks the permission'),
    404: own.includes(404) && problem('Not found (or not in your authority)'),
    409: own.includes(409) && problem('A rule of the family’s history, or a conflict'),
    412: own.includes(412) && problem('If-Match names a revision the family is no longer at'),
    413: !!request?.body && problem('The body is too large (1 MB; 2 MB for a batch)'),
    429: problem('Too many requests from this caller', RETRY_AFTER),
    503: request?.unavailable
      ? {
          description: 'A dependency is down: the report says which',
          headers: RETRY_AFTER,
          content: { 'application/json': { schema: ref(request.unavailable) } },
        }
      : problem('The database cannot be reached; nothing was stored', RETRY_AFTER),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v)) as Record<string, Schema>;
}

/** A property of a DTO's schema (a query or path DTO is listed as parameters, then dropped). */
const propertyOf = (all: Record<string, Schema>, dto: string, name: string) =>
  (all[dto]?.properties as Record<string, Schema> | undefined)?.[name];

/** A path parameter's schema: from the route's path DTO, or its UUID pipe. */
function pathParameterSchema(
  route: RouteInfo | undefined,
  name: string,
  pathDto: string | undefined,
  all: Record<string, Schema>,
): Schema | undefined {
  const fromDto = pathDto && propertyOf(all, pathDto, name);
  if (fromDto) return fromDto;
  if (!route) return undefined;
  const args = (Reflect.getMetadata(
    ROUTE_ARGS_METADATA,
    route.target.controller,
    route.target.method,
  ) ?? {}) as Record<string, { data?: unknown; pipes?: unknown[] }>;
  const param = Object.entries(args).find(
    ([key, arg]) => key.startsWith(`${RouteParamtypes.PARAM}:`) && arg.data === name,
  )?.[1];
  const isUuid = (p: unknown) => p === ParseUUIDPipe || p instanceof ParseUUIDPipe;
  return param?.pipes?.some(isUuid) ? UUID : undefined;
}

/** package.json (the version and licence the document states), wherever the code runs from. */
function packageJson(): { version: string; license: string } {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as never;
    if (dirname(dir) === dir) throw new Error('package.json not found');
  }
}

/** Builds the document from the running app's routes and the DTOs. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const pkg = packageJson();
  const config = new DocumentBuilder()
    .setTitle('Outcomes Ledger API')
    .setDescription(
      'Event-sourced outcomes measurement for family-support programmes. Every endpoint but ' +
        '/health needs a bearer token (people) or an X-Api-Key (systems); each names the one ' +
        'permission it needs. Family-level data is scoped to the caller’s authority. Errors are ' +
        'RFC 9457 problem details.',
    )
    .setVersion(pkg.version)
    .setLicense(
      pkg.license === 'UNLICENSED' ? 'Proprietary (UNLICENSED): all rights reserved' : pkg.license,
      '',
    )
    .addServer('/', 'This server (the document’s own origin)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key')
    .build();
  // A licence without a URL: `setLicense` always writes one, an empty one is not a URL.
  delete (config.info.license as { url?: string }).url;
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller}.${method}`,
  });
  const schemas = dtoSchemas();
  const published = { ...schemas, ...assembled(schemas) };
  // The two halves ReferFamilyRequest is validated in; callers see the whole.
  delete published.ReferFamilyRequestEnvelope;
  delete published.ReferralRequestFields;
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...published },
  };
  const all = document.components.schemas as Record<string, Schema>;
  const routes = new Map(routesOf(app).map((r) => [r.handler, r]));

  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item) as [string, Record<string, unknown>][]) {
      const key = `${method.toUpperCase()} ${path}`;
      const route = routes.get(op.operationId as string);
      const request = REQUESTS[key];
      if (request) op.summary = request.summary;
      // Swagger reads `@Query() q: unknown` as one opaque object; the DTO says what it holds.
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const parameters: Schema[] = names.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: pathParameterSchema(route, name, request?.path, all) ?? { type: 'string' },
      }));
      for (const name of request?.headers ?? [])
        parameters.push({ name, in: 'header', required: false, ...HEADERS[name] });
      if (request?.query) {
        const q = all[request.query];
        const required = (q.required ?? []) as string[];
        for (const name of Object.keys((q.properties ?? {}) as Schema)) {
          parameters.push({
            name,
            in: 'query',
            required: required.includes(name),
            schema: propertyOf(all, request.query, name),
          });
        }
      }
      op.parameters = parameters;
      if (request?.body) {
        op.requestBody = {
          required: true,
          content: {
            'application/json': {
              schema: ref(request.body),
              examples: BODY_EXAMPLES[request.body],
            },
          },
        };
      }
      if (route?.isPublic) op.security = [];
      else if (route?.permission) {
        op['x-permission'] = route.permission;
        op.description = [`Needs permission \`${route.permission}\`.`, op.description]
          .filter(Boolean)
          .join(' ');
      }
      const responses = (op.responses ?? {}) as Record<string, Schema>;
      for (const [status, response] of Object.entries(responses)) {
        response.description ||= STATUS_CODES[Number(status)] ?? 'Success';
        if (Number(status) >= 300) continue;
        if (request?.response)
          response.content = { 'application/json': { schema: ref(request.response) } };
        const headers = [
          ...(request?.responseHeaders ?? []),
          ...(request?.query && all[request.query].properties?.['cursor' as never]
            ? (['Link'] as const)
            : []),
        ];
        if (headers.length)
          response.headers = Object.fromEntries(headers.map((h) => [h, RESPONSE_HEADERS[h]]));
      }
      op.responses = { ...responses, ...problemsOf(route, request, names.length > 0) };
    }
  }
  pruneUnused(all, document);
  return document;
}

/** Drops schemas nothing refers to (DTOs' base classes, say), until none is left. */
function pruneUnused(schemas: Record<string, Schema>, document: OpenAPIObject): void {
  for (let pruned = true; pruned;) {
    pruned = false;
    const text = JSON.stringify(document);
    for (const name of Object.keys(schemas)) {
      if (!new RegExp(`"#/components/schemas/${name}["/]`).test(text)) {
        delete schemas[name];
        pruned = true;
      }
    }
  }
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupDocs(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => openApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Outcomes Ledger API',
  });
}
