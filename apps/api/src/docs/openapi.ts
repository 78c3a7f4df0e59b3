/**
 * The OpenAPI document and browsable docs (`/docs`, `/docs-json`). Request schemas come from the
 * class-validator DTOs the API validates with (class-validator-jsonschema), so the docs describe
 * exactly the rules a request is checked against; which DTO a route takes is listed once below.
 *
 * The docs are public: they are served outside the controllers (so the auth guard never sees
 * them) and hold no data, only the shape of the API.
 */
import { PAYLOADS, RECORDABLE_TYPES } from '@app/recording';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { routesOf } from '../auth/routes';
import { EVENT_EXAMPLES, EXAMPLE_DATE } from './examples';

export const DOCS_PATH = 'docs';

type Schema = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Which DTO (schema name = class name) each route validates its body or query with. */
export const REQUESTS: Record<string, { body?: string; query?: string; summary: string }> = {
  'POST /v1/families': { body: 'ReferFamilyRequest', summary: 'Refer a new family' },
  'POST /v1/families/{familyId}/events': {
    body: 'RecordEventRequest',
    summary: "Record one event on a family's timeline",
  },
  'POST /v1/events/batch': { body: 'BatchRequest', summary: 'Record up to 1,000 events' },
  'GET /v1/families': { query: 'ListFamiliesQuery', summary: 'List families (own authority)' },
  'GET /v1/families/{familyId}': { summary: "A family's current episode and status" },
  'GET /v1/families/{familyId}/timeline': { summary: "A family's events in occurredAt order" },
  'GET /v1/outcomes': {
    query: 'OutcomesQuery',
    summary: 'NatCen-style outcomes table (JSON, or CSV with Accept: text/csv)',
  },
  'GET /v1/outcomes/chart.svg': {
    query: 'OutcomesQuery',
    summary: 'The outcomes table as an SVG chart',
  },
  'GET /v1/cohorts/summary': {
    query: 'CohortFilterQuery',
    summary: 'Every family referred, whatever became of it',
  },
  'GET /v1/follow-ups': { query: 'ListFollowUpsQuery', summary: 'The follow-up queue' },
  'POST /v1/follow-ups/{followUpId}/assign': {
    body: 'AssignRequest',
    summary: 'Give a revisit to a worker',
  },
  'POST /v1/follow-ups/{followUpId}/complete': {
    body: 'CompleteRequest',
    summary: 'Record a revisit done, with its assessment',
  },
  'POST /v1/follow-ups/{followUpId}/missed': {
    body: 'MissedRequest',
    summary: 'Record a revisit missed',
  },
  'GET /health': { summary: 'Liveness, readiness and projection lag' },
  'GET /metrics': { summary: 'Prometheus metrics (text exposition format)' },
};

/** JSON schemas of every class-validator DTO loaded, by class name. */
function dtoSchemas(): Record<string, Schema> {
  const storage = getMetadataStorage() as unknown as {
    getTargetValidatorConstraints(target: unknown): { name: string }[];
  };
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: {
      // Our own decorators (registerDecorator) are "custom": name the ones with a known shape.
      customValidation: (meta) => {
        const [constraint] = storage.getTargetValidatorConstraints(meta.constraintCls);
        return constraint?.name === 'isEffectiveDate'
          ? {
              type: 'string',
              description: 'ISO 8601 date or date-time with offset, from 1900 on',
              example: EXAMPLE_DATE,
            }
          : {};
      },
    },
  }) as Record<string, Schema>;
  // Unknown fields are refused (whitelist + forbidNonWhitelisted): say so.
  for (const schema of Object.values(schemas)) schema.additionalProperties = false;
  return schemas;
}

/** Schemas assembled from DTOs where one request is validated in parts. */
function assembled(s: Record<string, Schema>): Record<string, Schema> {
  const props = (name: string) => (s[name]?.properties ?? {}) as Record<string, Schema>;
  const referral = props('FamilyReferredPayload');
  const payloadOf = Object.fromEntries(RECORDABLE_TYPES.map((t) => [t, PAYLOADS[t].name]));
  const data: Schema = {
    type: 'object',
    description:
      'The payload of `type`: ' +
      RECORDABLE_TYPES.map((t) => `${t} → ${payloadOf[t]}`).join('; ') +
      '. See the examples.',
    oneOf: [...new Set(Object.values(payloadOf))].map(ref),
  };
  const withData = (name: string) => ({
    ...s[name],
    properties: { ...props(name), data },
  });
  return {
    EmptyPayload: { type: 'object', additionalProperties: false, properties: {} },
    RecordEventRequest: withData('RecordEventRequest'),
    BatchItemRequest: withData('BatchItemRequest'),
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
    Problem: {
      type: 'object',
      description: 'An error: 400 names each broken rule; 404/409 say what and why.',
      properties: {
        statusCode: { type: 'integer' },
        error: { type: 'string' },
        message: { type: 'string' },
        code: { type: 'string', example: 'invariant_violated' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              field: { type: 'string', example: 'data.reasons' },
              rule: { type: 'string', example: 'arrayMinSize' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  };
}

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

const problem = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Problem') } },
});

/** Builds the document from the running app's routes and the DTOs. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Outcomes Ledger API')
    .setDescription(
      'Event-sourced outcomes measurement for family-support programmes. Every endpoint but ' +
        '/health needs a bearer token (people) or an X-Api-Key (systems); each names the one ' +
        'permission it needs. Family-level data is scoped to the caller’s authority.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key')
    .build();
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
      op.parameters = ((op.parameters ?? []) as { in: string }[]).filter((p) => p.in === 'path');
      if (request?.query) {
        const q = all[request.query];
        const required = (q.required ?? []) as string[];
        for (const [name, schema] of Object.entries(
          (q.properties ?? {}) as Record<string, Schema>,
        )) {
          (op.parameters as unknown[]).push({
            name,
            in: 'query',
            required: required.includes(name),
            schema,
          });
        }
      }
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
      const responses = (op.responses ?? {}) as Record<string, unknown>;
      if (request?.body || request?.query)
        responses['400'] = problem('A field breaks a rule; nothing changed');
      if (!route?.isPublic) {
        responses['401'] = { description: 'No valid token or API key' };
        responses['403'] = { description: 'The caller’s role lacks the permission' };
      }
      if (path.includes('{')) responses['404'] = problem('Not found (or not in your authority)');
      if (method === 'post')
        responses['409'] = problem('A rule of the family’s history, or a revision conflict');
      op.responses = responses;
    }
  }
  return document;
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupDocs(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => openApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Outcomes Ledger API',
  });
}
