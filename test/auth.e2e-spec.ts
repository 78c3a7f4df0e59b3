import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { GRANTS, ROLES, Role, createApiKey, revokeApiKey } from '@app/security';
import { RouteInfo, routesOf } from '../apps/api/src/auth/routes';
import { as, token } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { CLI } from './support/worker';

/** National roles act for all authorities; the others for one. */
const authorityOf = (role: Role) => (role === 'evaluator' || role === 'admin' ? null : 'leeds');

/** A concrete URL for a route: every path parameter a fresh UUID. */
const urlOf = (route: RouteInfo) => route.path.replace(/:[A-Za-z]+/g, () => randomUUID());

const call = (h: Harness, route: RouteInfo) => {
  const url = urlOf(route);
  switch (route.method) {
    case 'GET':
      return h.http.get(url);
    case 'POST':
      return h.http.post(url).send({});
    case 'PUT':
      return h.http.put(url).send({});
    case 'PATCH':
      return h.http.patch(url).send({});
    case 'DELETE':
      return h.http.delete(url);
    default:
      throw new Error(`no test call for ${route.method} ${route.path}`);
  }
};

/**
 * Authentication and authorisation for every route the API serves, found by walking the running
 * app (not a hand-written list), so an endpoint added later is covered without anyone asking.
 */
describe('authentication and permissions on every route (e2e)', () => {
  let h: Harness;
  let routes: RouteInfo[];

  beforeAll(async () => {
    h = await startHarness({ projections: false });
    routes = routesOf(h.app);
  });
  afterAll(async () => {
    await h.close();
  });

  it('finds the routes Express serves, each with exactly one @Allow or @Public', () => {
    const express = h.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const served = express.router.stack
      // Not endpoints: middleware Nest mounts on every path (request logging), and the API docs
      // SwaggerModule serves (public by design, no data; see test/docs.e2e-spec.ts).
      .filter((layer) => layer.route && layer.route.path !== '/{*path}')
      .filter((layer) => !/^\/docs(\/|-json|-yaml|$)/.test(layer.route!.path))
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`),
      )
      .sort();
    // Outside the controllers (and so outside the guard) only the data-free API docs are served.
    const docs = (route: string) => /^GET \/docs(-json|-yaml)?(\/|$)/.test(route);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      served.filter((r) => !docs(r)),
    );
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const route of routes) {
      expect({ route: route.handler, declared: !!route.permission !== route.isPublic }).toEqual({
        route: route.handler,
        declared: true,
      });
    }
    // Anonymous access is for liveness only.
    expect(routes.filter((r) => r.isPublic).map((r) => r.path)).toEqual([
      '/health',
      '/health/live',
      '/health/ready',
    ]);
  });

  it('answers 401 to a caller without credentials on every non-public route', async () => {
    for (const route of routes.filter((r) => !r.isPublic)) {
      const res = await call(h, route);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  }, 60_000); // every route × every role: slow on a loaded machine

  it('answers 403 to every role that lacks the route permission, and lets the others past', async () => {
    let refusals = 0;
    for (const route of routes.filter((r) => !r.isPublic)) {
      for (const role of ROLES) {
        const res = await call(h, route).set(as(role, authorityOf(role)));
        const allowed = GRANTS[role].includes(route.permission!);
        const seen = { route: `${route.method} ${route.path}`, role, status: res.status };
        // An extract goes only to an API key bound to its recipient (issue 14): a token that has
        // the permission passes this check and is then refused by that one, by name.
        const unboundExtract =
          route.path.endsWith('/extract') && res.body.code === 'extract_not_bound';
        if (allowed) {
          const refused = seen.status === 401 || (seen.status === 403 && !unboundExtract);
          expect(refused ? seen : 'passed').toBe('passed');
        } else {
          refusals++;
          expect(seen).toEqual({ ...seen, status: 403 });
          expect(res.body.permission).toBe(route.permission);
        }
      }
    }
    expect(refusals).toBeGreaterThan(0);
  }, 60_000); // every route × every role: slow on a loaded machine

  it('refuses an expired token and one signed with another key', async () => {
    const outcomes = () => h.http.get('/v1/outcomes');
    const expired = token('evaluator', null, 'ev-1', {
      now: new Date(Date.now() - 20 * 60_000),
    });
    const forged = token('evaluator', null, 'ev-1', {
      secret: 'not-the-api-secret-but-long-enough-0000',
    });
    for (const t of [expired, forged]) {
      const res = await outcomes().set('authorization', `Bearer ${t}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
    }
    expect((await outcomes().set(as('evaluator', null))).status).toBe(200);
  });

  it('accepts a live API key, and refuses it once revoked', async () => {
    const { id, key } = await createApiKey(h.db, {
      role: 'evaluator',
      authority: null,
      label: 'nightly dashboard',
    });
    const stored = await h.db.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [id]);
    expect(stored[0].key_hash).not.toContain(key);
    expect((await h.http.get('/v1/outcomes').set('x-api-key', key)).status).toBe(200);
    const forbidden = await h.http.get('/v1/families').set('x-api-key', key);
    expect(forbidden.status).toBe(403);
    expect(await revokeApiKey(h.db, id)).toBe(true);
    expect((await h.http.get('/v1/outcomes').set('x-api-key', key)).status).toBe(401);
    const unknown = `olk_${'A'.repeat(43)}`;
    expect((await h.http.get('/v1/outcomes').set('x-api-key', unknown)).status).toBe(401);
  });
});

/** The operator's commands, as built: `outcomes token` and `outcomes apikey create`. */
describe('credentials from the command line (e2e)', () => {
  let h: Harness;
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: {
            ...process.env,
            DATABASE_URL: h.config.database.url,
            DATABASE_SCHEMA: h.config.database.schema,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    h = await startHarness({ projections: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('prints only a token the API accepts, for that role and authority', async () => {
    const run = await cli(['token', '--role', 'keyworker', '--authority', 'leeds']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const bearer = { authorization: `Bearer ${run.stdout.trim()}` };
    expect((await h.http.get('/v1/families').set(bearer)).status).toBe(200);
    expect((await h.http.get('/v1/audit').set(bearer)).status).not.toBe(200);
  }, 30_000); // spawns the CLI: slow on a loaded machine

  it('refuses a role without its authority, and an unknown role', async () => {
    const national = await cli(['token', '--role', 'keyworker', '--authority', 'national']);
    expect(national.code).toBe(2);
    expect(national.stdout).toBe('');
    const unknown = await cli(['token', '--role', 'root', '--authority', 'leeds']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout).toBe('');
  }, 30_000); // spawns the CLI: slow on a loaded machine

  it('creates an API key, shown once, that the API accepts', async () => {
    const run = await cli([
      'apikey',
      'create',
      '--role',
      'evaluator',
      '--authority',
      'national',
      '--label',
      'dashboard',
    ]);
    expect(run.code).toBe(0);
    const key = run.stdout.trim();
    expect(key).toMatch(/^olk_/);
    expect((await h.http.get('/v1/outcomes').set('x-api-key', key)).status).toBe(200);
    const rows = await h.db.query(`SELECT * FROM api_keys`);
    expect(JSON.stringify(rows)).not.toContain(key);
    const id = /key id ([0-9a-f-]{36})/.exec(run.stderr)?.[1];
    expect(id).toBe(rows[0].id);
    const listed = await cli(['apikey', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}\\s+evaluator\\s+national\\s+dashboard\\s+\\S+\\s+live$`, 'm'),
    );
    expect(listed.stdout).not.toContain(key);
    const revoked = await cli(['apikey', 'revoke', id!]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
    const after = await cli(['apikey', 'list']);
    expect(after.stdout).toMatch(new RegExp(`^${id}\\s.*\\s\\d{4}-\\d{2}-\\d{2}T\\S+$`, 'm'));
    expect(after.stdout).not.toMatch(new RegExp(`^${id}\\s.*live$`, 'm'));
    expect((await h.http.get('/v1/outcomes').set('x-api-key', key)).status).toBe(401);
  }, 30_000); // spawns the CLI: slow on a loaded machine
});
