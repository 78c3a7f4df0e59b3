import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import ts from 'typescript';
import { routesOf } from '../apps/api/src/auth/routes';
import { as } from './support/auth';
import { listen } from './support/browser';
import { Harness, startHarness } from './support/harness';
import { referralBody } from './support/stories';
// The program imports the client this file generates (gitignored), so it is loaded only after
// generation, by a path tsc does not follow: the root type-check of a clean clone has no client yet.
const PROGRAM = './client/program';
interface Program {
  run(
    baseUrl: string,
    headers: Record<string, string>,
    authority: string,
    caughtUp: (position: string) => Promise<void>,
  ): Promise<{
    familyId: string;
    recordedRevision: number;
    stale: unknown;
    etag: string | null;
    family: unknown;
    cohorts: string[];
    domains: number;
  }>;
}

/**
 * The served OpenAPI document as an integrator meets it: it passes Redocly's linter (recommended
 * rules, which also validate every example against its schema) with nothing to report, every
 * route declares its errors, and a client generated from it with openapi-typescript type-checks
 * and works against the running service.
 */

type Operation = {
  parameters?: { name: string; in: string; schema: { pattern?: string; $ref?: string } }[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
};
type Doc = {
  info: { version: string; license?: { name: string } };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
};

// Redocly's recommended rules, all of them, bar one: a licence URL, which a proprietary
// (UNLICENSED) API has none to give.
const ACCEPTED = new Set(['info-license-strict']);
// Routes whose success answer is not JSON (CSV, SVG, HTML, Prometheus text, or any of them).
const NOT_JSON = [
  'GET /v1/outcomes/chart.svg 200',
  'GET /v1/returns/{id}/content 200',
  'GET /metrics 200',
];
// JSON answers still without a declared schema (they need a built return or a recipient key to
// check against): named here so that a new route without one fails the test below.
const NOT_YET = ['GET /v1/returns/{id}/diff/{otherId} 200', 'GET /v1/returns/{id}/extract 200'];
const REPORTS_503 = new Set(['GET /health 503', 'GET /health/ready 503']);

/** Redocly's findings on a document (in a process of its own: see lint-openapi.mjs). */
const lint = (doc: unknown) =>
  JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'support/lint-openapi.mjs')], {
      input: JSON.stringify(doc),
      encoding: 'utf8',
    }),
  ) as { rule: string; severity: string; message: string; at?: string }[];

let h: Harness;
let doc: Doc;
beforeAll(async () => {
  h = await startHarness();
  doc = (await h.http.get('/docs-json').expect(200)).body as Doc;
});
afterAll(() => h?.close());

describe('the served OpenAPI document', () => {
  it('passes Redocly lint (recommended, all examples checked): no error, no warning, no invalid example', async () => {
    const problems = lint(doc);
    expect(problems.filter((p) => !ACCEPTED.has(p.rule))).toEqual([]);
  });

  it('is linted for real: an invalid example or an unresolved $ref is reported', async () => {
    const broken = structuredClone(doc);
    // A schema's own example, too.
    (
      broken as unknown as { components: { schemas: Record<string, { example?: unknown }> } }
    ).components.schemas.Recorded.example = { eventId: 'not-a-uuid' };
    const body =
      broken.paths['/v1/families/{familyId}/events'].post.requestBody!.content['application/json'];
    body.examples!.ReviewHeld.value = { type: 'ReviewHeld', occurredAt: '2025-01-01', data: {} };
    (
      broken.paths['/v1/families'].post.responses['201'].content!['application/json'].schema as {
        $ref: string;
      }
    ).$ref = '#/components/schemas/Array';
    const rules = lint(broken).map((p) => p.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'no-invalid-media-type-examples',
        'no-invalid-schema-examples',
        'no-unresolved-refs',
      ]),
    );
  });

  it('states servers, the version in package.json and a licence', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8'));
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.info.license?.name).toEqual(expect.stringContaining(pkg.license));
    expect(doc.servers?.length).toBeGreaterThan(0);
  });

  it('declares on every route its errors as problem+json, and every path parameter’s pattern', () => {
    const routes = routesOf(h.app);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      const where = `${route.method} ${path}`;
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect({ where, documented: !!op }).toEqual({ where, documented: true });
      const statuses = Object.keys(op.responses);
      const expected = ['429', '503'];
      if (!route.isPublic) expected.push('401', '403');
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
      if (pathParams.length) expected.push('400');
      expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(expected) });
      for (const param of pathParams) {
        expect({ where, param: param.name, pattern: typeof param.schema.pattern }).toEqual({
          where,
          param: param.name,
          pattern: 'string',
        });
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        // The health probes' 503 is their report (which dependency is down), not a problem.
        if (REPORTS_503.has(`${where} ${status}`)) continue;
        expect({
          where,
          status,
          schema: response.content?.['application/problem+json']?.schema,
        }).toEqual({ where, status, schema: { $ref: '#/components/schemas/Problem' } });
      }
    }
  });
});

/**
 * Checks an answer against the schema the document declares for its route, status and media
 * type (ajv): a mismatch, or a JSON answer its route declares no schema for, is an error.
 */
function answerChecker(document: unknown) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const d = document as Doc & { components: { schemas: Record<string, unknown> } };
  ajv.addSchema({ $id: 'doc', components: d.components }, 'doc');
  return (
    method: string,
    path: string,
    res: { status: number; body: unknown; headers: Record<string, string> },
  ): string[] => {
    const where = `${method} ${path} ${res.status}`;
    const type = (res.headers['content-type'] ?? '').split(';')[0];
    if (!type.endsWith('json')) return [`${where}: answered ${type}, not JSON`];
    const declared = d.paths[path]?.[method.toLowerCase()]?.responses[String(res.status)];
    const schema = declared?.content?.[type]?.schema;
    if (!schema) return [`${where}: no ${type} schema declared`];
    const refd = schema.$ref ? { $ref: `doc${schema.$ref}` } : schema;
    const validate = ajv.compile(refd);
    if (validate(res.body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${where}: ${e.instancePath || '/'} ${e.message}` +
        (e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''),
    );
  };
}

describe('the answers the service gives', () => {
  const authority = `answers-${Date.now().toString(36)}`;
  const kw = as('manager', authority);
  let familyId: string;
  let check: ReturnType<typeof answerChecker>;
  const refer = () => h.http.post('/v1/families').set(kw).send(referralBody(authority)).expect(201);

  beforeAll(async () => {
    check = answerChecker(doc);
    const referred = await refer();
    familyId = referred.body.familyId;
    let position = referred.body.position as string;
    for (const [type, occurredAt, data] of [
      ['InterventionOffered', '2025-01-20', {}],
      ['InterventionAccepted', '2025-01-25', {}],
      ['FamilyExited', '2025-06-01', { exitType: 'planned' }],
    ] as const) {
      const r = await h.http
        .post(`/v1/families/${familyId}/events`)
        .set(kw)
        .send({ type, occurredAt, data })
        .expect(201);
      expect(check('POST', '/v1/families/{familyId}/events', r)).toEqual([]);
      position = r.body.position;
    }
    expect(check('POST', '/v1/families', referred)).toEqual([]);
    await h.caughtUp(position);
  });

  it('match the schema their route declares, for every JSON GET (success and problems)', async () => {
    const data = as('data_manager', authority);
    const admin = as('admin', null);
    const calls: [string, string, Record<string, string>, string?][] = [
      ['/v1/families', '/v1/families', kw],
      ['/v1/families/{familyId}', `/v1/families/${familyId}`, kw],
      ['/v1/families/{familyId}/timeline', `/v1/families/${familyId}/timeline`, kw],
      ['/v1/outcomes', '/v1/outcomes', kw],
      ['/v1/cohorts/summary', '/v1/cohorts/summary', kw],
      // Under disclosure control small counts are `[c]`: the schema must allow them.
      ['/v1/cohorts/summary', '/v1/cohorts/summary?disclosure=on', kw],
      ['/v1/outcomes', '/v1/outcomes?disclosure=on', kw],
      ['/v1/savings', '/v1/savings?disclosure=on', kw],
      ['/v1/follow-ups', '/v1/follow-ups', kw],
      ['/v1/savings', '/v1/savings', kw],
      ['/v1/savings/unit-costs', '/v1/savings/unit-costs', kw],
      ['/v1/programme-costs/{authority}', `/v1/programme-costs/${authority}`, data],
      ['/v1/returns', '/v1/returns', data],
      ['/v1/audit', '/v1/audit?limit=5', admin],
      ['/health', '/health', {}],
      ['/health/live', '/health/live', {}],
      ['/health/ready', '/health/ready', {}],
      // Problems: 404, 400, 401, 403.
      ['/v1/families/{familyId}', `/v1/families/${randomUUID()}`, kw, '404'],
      ['/v1/families/{familyId}', '/v1/families/not-a-uuid', kw, '400'],
      ['/v1/families', '/v1/families', {}, '401'],
      ['/v1/audit', '/v1/audit', kw, '403'],
      ['/v1/returns/{id}', `/v1/returns/${randomUUID()}`, data, '404'],
    ];
    const errors: string[] = [];
    for (const [path, url, headers, status] of calls) {
      const res = await h.http.get(url).set(headers);
      if (status) expect({ url, status: res.status }).toEqual({ url, status: Number(status) });
      else expect({ url, status: res.status }).toEqual({ url, status: 200 });
      errors.push(...check('GET', path, res));
    }
    expect(errors).toEqual([]);
  });

  it('match the schema their route declares, for the writes’ answers', async () => {
    const data = as('data_manager', authority);
    const errors: string[] = [];
    const post = async (
      path: string,
      url: string,
      headers: Record<string, string>,
      body: object,
    ) => {
      const res = await h.http.post(url).set(headers).send(body);
      expect({ url, status: res.status }).toEqual({ url, status: expect.any(Number) });
      errors.push(...check('POST', path, res));
      return res;
    };
    const created = await post('/v1/returns', '/v1/returns', data, {
      authority,
      periodStart: '2025-01-01',
      periodEnd: '2025-12-31',
    });
    expect(created.status).toBe(202);
    const item = await h.http.get(`/v1/returns/${created.body.id}`).set(data).expect(200);
    errors.push(...check('GET', '/v1/returns/{id}', item));
    const list = await h.http.get('/v1/returns').set(data).expect(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    errors.push(...check('GET', '/v1/returns', list));
    const cost = await h.http
      .put(`/v1/programme-costs/${authority}/fip/2025`)
      .set(data)
      .send({ amount: '1000.00' });
    errors.push(...check('PUT', '/v1/programme-costs/{authority}/{programme}/{year}', cost));
    const costs = await h.http.get(`/v1/programme-costs/${authority}`).set(data).expect(200);
    expect(costs.body.costs.length).toBe(1);
    errors.push(...check('GET', '/v1/programme-costs/{authority}', costs));
    // A batch: one event stored, one refused (no such family), one invalid. (This family is
    // then erased and transferred: the first stays as it is for the test after this one.)
    const other = await refer();
    const event = (id: string) => ({
      familyId: id,
      type: 'InterventionOffered',
      occurredAt: '2025-01-20',
      data: {},
    });
    const batch = await post('/v1/events/batch', '/v1/events/batch', kw, {
      events: [
        event(other.body.familyId),
        event(randomUUID()),
        { ...event(randomUUID()), data: 1 },
      ],
    });
    expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual([201, 404, 400]);
    const erased = await post(
      '/v1/families/{familyId}/erasure',
      `/v1/families/${other.body.familyId}/erasure`,
      kw,
      {},
    );
    expect(erased.status).toBe(200);
    const moved = await post(
      '/v1/families/{familyId}/transfer',
      `/v1/families/${other.body.familyId}/transfer`,
      kw,
      {
        toAuthority: `${authority}-b`,
      },
    );
    expect(moved.status).toBe(201);
    // A problem from a write: a revisit that does not exist.
    await post('/v1/follow-ups/{followUpId}/missed', `/v1/follow-ups/${randomUUID()}/missed`, kw, {
      reason: 'no_contact',
    });
    expect(errors).toEqual([]);
  });

  it('are declared for every route: a success answer names its schema, bar the non-JSON ones', () => {
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 300) continue;
          const schema = response.content?.['application/json']?.schema;
          if (!schema) undeclared.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(undeclared.sort()).toEqual([...NOT_JSON, ...NOT_YET].sort());
  });

  it('would catch a declaration that does not match (a wrong schema, or none)', async () => {
    const res = await h.http.get(`/v1/families/${familyId}`).set(kw).expect(200);
    expect(check('GET', '/v1/families/{familyId}', res)).toEqual([]);
    const broken = structuredClone(doc) as Doc & {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    broken.components.schemas.Family.properties.revision = { type: 'string' };
    expect(answerChecker(broken)('GET', '/v1/families/{familyId}', res)).toEqual([
      'GET /v1/families/{familyId} 200: /revision must be string',
    ]);
    delete broken.paths['/v1/families/{familyId}'].get.responses['200'].content;
    expect(answerChecker(broken)('GET', '/v1/families/{familyId}', res)).toEqual([
      'GET /v1/families/{familyId} 200: no application/json schema declared',
    ]);
  });
});

describe('a client generated from it (openapi-typescript + openapi-fetch)', () => {
  const dir = join(__dirname, 'client');
  const generated = join(dir, 'generated');

  /** tsc's diagnostics for files under the client's tsconfig. */
  const typeErrors = (files: string[]) => {
    const configFile = join(dir, 'tsconfig.json');
    const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
    return ts.getPreEmitDiagnostics(ts.createProgram(files, options)).map((d) => {
      const line =
        d.file && d.start !== undefined
          ? d.file.getLineAndCharacterOfPosition(d.start).line + 1
          : 0;
      return `${d.file?.fileName ?? ''}:${line} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  };

  // As an integrator would: the CLI, from the URL the service serves the document at. (Its own
  // process, too: openapi-typescript loads ESM-only modules jest cannot.)
  beforeAll(async () => {
    mkdirSync(generated, { recursive: true });
    await promisify(execFile)(process.execPath, [
      join(dirname(require.resolve('openapi-typescript/package.json')), 'bin/cli.js'),
      `${await listen(h.app)}/docs-json`,
      '--output',
      join(generated, 'ledger.d.ts'),
    ]);
  }, 60_000);

  it('type-checks the program that uses it (tsc)', () => {
    expect(typeErrors([join(dir, 'program.ts')])).toEqual([]);
  }, 60_000);

  it('types each event’s data by its type: a wrong payload does not compile', () => {
    const misuse = join(generated, 'misuse.ts');
    writeFileSync(
      misuse,
      "import type { components } from './ledger';\n" +
        "export const bad: components['schemas']['RecordEventRequest'] = " +
        "{ type: 'ReviewHeld', occurredAt: '2025-01-01', data: { cafId: 'caf-1' } };\n",
    );
    const errors = typeErrors([misuse]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/misuse\.ts:2 .*cafId/);
  }, 60_000);

  it('runs against the service: refers, records with If-Match, is refused a stale one, reads', async () => {
    const authority = `client-${Date.now().toString(36)}`;
    const { run } = (await import(PROGRAM)) as Program;
    const result = await run(
      await listen(h.app),
      as('keyworker', authority),
      authority,
      h.caughtUp,
    );
    expect(result.recordedRevision).toBe(1);
    expect(result.stale).toMatchObject({
      status: 412,
      code: 'revision_conflict',
      actualRevision: 1,
    });
    expect(result.etag).toBe('"1"');
    expect(result.family).toMatchObject({ familyId: result.familyId, authority, revision: 1 });
    expect(result.domains).toBeGreaterThan(0);
    expect(result.cohorts).toEqual(['planned_exits', 'all_started']);
  }, 60_000);
});
