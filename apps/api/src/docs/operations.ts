/** What the document says of each operation beyond its schemas: examples, headers, errors. */
import { RECORDABLE_TYPES } from '@app/recording';
import { ParseUUIDPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { RouteInfo } from '../auth/routes';
import { EVENT_EXAMPLES, EXAMPLE_DATE } from './examples';
import { PROBLEMS_KEY } from './problems';
import { Request, RequestHeader, ResponseHeader } from './requests';
import { Schema, UUID, ref } from './schema-kit';

function recordExamples(): Record<string, unknown> {
  return Object.fromEntries(
    RECORDABLE_TYPES.map((type) => [
      type,
      { summary: type, value: { type, occurredAt: EXAMPLE_DATE, data: EVENT_EXAMPLES[type] } },
    ]),
  );
}

const FAMILY = '1f0e4d2c-7a4b-4c55-9d33-2b8f5a6c7e10';
export const BODY_EXAMPLES: Record<string, Record<string, unknown>> = {
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
export const HEADERS: Record<RequestHeader, Schema> = {
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

export const RESPONSE_HEADERS: Record<ResponseHeader, Schema> = {
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
export function problemsOf(
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
export const propertyOf = (all: Record<string, Schema>, dto: string, name: string) =>
  (all[dto]?.properties as Record<string, Schema> | undefined)?.[name];

/** A path parameter's schema: from the route's path DTO, or its UUID pipe. */
export function pathParameterSchema(
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
