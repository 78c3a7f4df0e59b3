import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { routesOf } from '../apps/api/src/auth/routes';
import { as } from './support/auth';
import { listen } from './support/browser';
import { Harness, startHarness } from './support/harness';
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
        expect({
          where,
          status,
          schema: response.content?.['application/problem+json']?.schema,
        }).toEqual({ where, status, schema: { $ref: '#/components/schemas/Problem' } });
      }
    }
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
  }, 60_000);
});
