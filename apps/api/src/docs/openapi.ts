/**
 * The OpenAPI document and browsable docs (`/docs`, `/docs-json`). Request schemas come from the
 * class-validator DTOs the API validates with (class-validator-jsonschema), so the docs describe
 * exactly the rules a request is checked against; which DTO a route takes is listed once (./requests.ts).
 *
 * The docs are public: they are served outside the controllers (so the auth guard never sees
 * them) and hold no data, only the shape of the API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { dirname, join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { routesOf } from '../auth/routes';
import { assembled, dtoSchemas } from './dto-schemas';
import {
  BODY_EXAMPLES,
  HEADERS,
  RESPONSE_HEADERS,
  pathParameterSchema,
  problemsOf,
  propertyOf,
} from './operations';
import { REQUESTS } from './requests';
import { Schema, ref } from './schema-kit';

export { REQUESTS } from './requests';

export const DOCS_PATH = 'docs';

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
