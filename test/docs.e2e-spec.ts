import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import {
  PAYLOADS,
  RECORDABLE_TYPES,
  parseBatchItem,
  parseRecordEvent,
  parseReferFamily,
} from '@app/recording';
import { routesOf } from '../apps/api/src/auth/routes';
import { REQUESTS } from '../apps/api/src/docs/openapi';
import { startBrowser, boxesOf, listen } from './support/browser';
import { Harness, startHarness } from './support/harness';

/** `/docs` and `/docs-json`: public, complete, and every example valid. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ projections: false });
});
afterAll(() => h?.close());

type Op = {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: {
    content: Record<
      string,
      { schema: { $ref: string }; examples?: Record<string, { value: unknown }> }
    >;
  };
  'x-permission'?: string;
};
type Doc = {
  paths: Record<string, Record<string, Op>>;
  components: Record<string, Record<string, unknown>>;
};

const docs = async (): Promise<Doc> => (await h.http.get('/docs-json').expect(200)).body as Doc;
const op = (doc: Doc, method: string, path: string) => doc.paths[path]?.[method.toLowerCase()];

describe('OpenAPI document', () => {
  it('is served without credentials (it holds no data), with Swagger UI at /docs', async () => {
    const ui = await h.http.get('/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await docs();
    expect(doc).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      info: { title: 'Outcomes Ledger API' },
    });
  });

  it('lists every route the controllers declare, with the permission it needs', async () => {
    const doc = await docs();
    const routes = routesOf(h.app).map((r) => ({ ...r, path: r.path.replace(/:(\w+)/g, '{$1}') }));
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const route of routes) {
      const operation = op(doc, route.method, route.path);
      expect({ route: `${route.method} ${route.path}`, found: !!operation }).toEqual({
        route: `${route.method} ${route.path}`,
        found: true,
      });
      if (route.permission) expect(operation['x-permission']).toBe(route.permission);
    }
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m} ${p}`),
    );
    expect(documented).toHaveLength(routes.length);
    expect(op(doc, 'GET', '/v1/outcomes/chart.svg')['x-permission']).toBe('outcomes:read');
  });

  it('declares bearer and X-Api-Key security schemes, required by default', async () => {
    const doc = (await docs()) as Doc & { security: unknown[] };
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    });
    expect(doc.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
  });

  it("describes bodies and query strings from the DTOs' validation rules", async () => {
    const doc = await docs();
    const schemas = doc.components.schemas as Record<
      string,
      {
        properties: Record<string, Record<string, unknown>>;
        required?: string[];
        oneOf?: { $ref: string }[];
        discriminator?: { propertyName: string; mapping: Record<string, string> };
      }
    >;
    const body = op(doc, 'POST', '/v1/families/{familyId}/events').requestBody!.content[
      'application/json'
    ];
    expect(body.schema.$ref).toBe('#/components/schemas/RecordEventRequest');
    // A union discriminated by `type`: one request per event type, its data that type's payload.
    for (const [union, extra] of [
      ['RecordEventRequest', []],
      ['BatchItemRequest', ['familyId']],
    ] as const) {
      const { discriminator, oneOf } = schemas[union];
      expect(discriminator!.propertyName).toBe('type');
      expect(Object.keys(discriminator!.mapping).sort()).toEqual([...RECORDABLE_TYPES].sort());
      expect(oneOf!.map((r) => r.$ref).sort()).toEqual(
        Object.values(discriminator!.mapping).sort(),
      );
      for (const [type, target] of Object.entries(discriminator!.mapping)) {
        const variant = schemas[target.split('/').pop()!];
        expect(variant.required).toEqual([...extra, 'type', 'occurredAt', 'data']);
        expect(variant.properties.type.enum).toEqual([type]);
        expect(variant.properties.data.$ref).toBe(
          `#/components/schemas/${PAYLOADS[type as keyof typeof PAYLOADS].name}`,
        );
      }
    }
    // Arrays of DTOs name the DTO (class-transformer's @Type), not `Array`.
    expect(schemas.ReferFamilyRequest.properties.members.items).toEqual({
      $ref: '#/components/schemas/MemberDto',
    });
    expect(schemas.SupportPlanAgreedPayload.properties.plannedWeeklyHours).toMatchObject({
      minimum: 0,
      maximum: 168,
    });
    const outcomes = op(doc, 'GET', '/v1/outcomes')
      .parameters!.filter((p) => p.in === 'query')
      .map((p) => p.name);
    expect(outcomes).toEqual(
      expect.arrayContaining(['authority', 'programme', 'cohort', 'asAt', 'referredFrom']),
    );
    // Every route that takes a body names a schema that exists.
    for (const item of Object.values(doc.paths)) {
      for (const o of Object.values(item)) {
        const ref = o.requestBody?.content['application/json'].schema.$ref;
        if (ref) expect(schemas[ref.split('/').pop()!]).toBeDefined();
      }
    }
    for (const path of [
      '/v1/families',
      '/v1/events/batch',
      '/v1/follow-ups/{followUpId}/complete',
    ]) {
      expect(op(doc, 'POST', path).requestBody).toBeDefined();
    }
    // Every route listed with a body, query or path DTO names a DTO the API really validates
    // with (bodies are published as schemas; queries and paths as the parameters they hold).
    const dtos = validationMetadatasToSchemas();
    for (const [key, request] of Object.entries(REQUESTS)) {
      if (request.body)
        expect({ key, found: !!schemas[request.body] }).toEqual({ key, found: true });
      for (const name of [request.query, request.path].filter(Boolean)) {
        expect({ key, name, found: !!dtos[name!] }).toEqual({ key, name, found: true });
      }
    }
  });

  it('has an example for every event type, and every example passes validation', async () => {
    const doc = await docs();
    const examples = op(doc, 'POST', '/v1/families/{familyId}/events').requestBody!.content[
      'application/json'
    ].examples!;
    expect(Object.keys(examples).sort()).toEqual([...RECORDABLE_TYPES].sort());
    for (const [type, example] of Object.entries(examples)) {
      const parsed = await parseRecordEvent(example.value);
      expect(parsed.event.type).toBe(type);
    }
    const batch = op(doc, 'POST', '/v1/events/batch').requestBody!.content['application/json']
      .examples!;
    for (const example of Object.values(batch)) {
      for (const item of (example.value as { events: unknown[] }).events)
        await parseBatchItem(item);
    }
    const refer = op(doc, 'POST', '/v1/families').requestBody!.content['application/json']
      .examples!;
    for (const example of Object.values(refer)) await parseReferFamily(example.value);
  });

  it('renders in a real browser: Swagger UI shows every operation, without credentials', async () => {
    const doc = await docs();
    const count = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    const browser = await startBrowser();
    try {
      const page = await browser.open(`${await listen(h.app)}/docs`);
      await page.waitForSelector('.opblock', { timeout: 15_000 });
      const blocks = await boxesOf(page, '.opblock');
      expect(blocks).toHaveLength(count);
      expect(blocks.every((b) => b.width > 0 && b.height > 0)).toBe(true);
      const summaries = (await boxesOf(page, '.opblock-summary-path')).map((b) => b.text);
      expect(summaries).toContain('/v1/outcomes/chart.svg');
      await browser.screenshot(page, 'api-docs');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
