/**
 * The production path as far as a machine without a Docker engine or EventStoreDB can take it:
 * the Dockerfile's steps replayed in order in a scratch directory (at each RUN only the files
 * copied so far exist), the compose file checked against the Compose Specification's schema and
 * the variables the app needs, and the built image's apps started with the compose environment
 * until they are healthy by the compose health checks.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Ajv from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { TEST_DATABASE_URL, createTestSchema, startPgCluster } from '@app/event-store/testing';

/** The path compose's API health check and this test wait on (issue 13a: `/health/ready`). */
export const HEALTH_PATH = '/health/ready';

const ROOT = resolve(__dirname, '..');
const DOCKERFILE = join(ROOT, 'docker', 'Dockerfile');
const COMPOSE = join(ROOT, 'docker', 'compose.yml');

/** What the apps refuse to start without in production (NODE_ENV=production), or cannot work. */
const REQUIRED_IN_PRODUCTION = [
  'EVENT_STORE',
  'EVENTSTORE_CONNECTION_STRING',
  'DATABASE_URL',
  'REDIS_URL',
  'AUTH_JWT_SECRET',
  'PII_MASTER_KEY',
];

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions by stage, continuation lines joined, comments dropped. */
function stages(text: string): Instruction[][] {
  const out: Instruction[][] = [];
  const joined = text.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(trimmed)!;
    if (op.toUpperCase() === 'FROM') out.push([]);
    out[out.length - 1].push({ op: op.toUpperCase(), args });
  }
  return out;
}

/** `.dockerignore`'s entries (plain names and paths only: the test refuses anything fancier). */
function ignored(): Set<string> {
  const entries = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const e of entries) expect(e).toMatch(/^[\w.-]+(\/[\w.-]+)*$/);
  return new Set(entries);
}

function copyInto(from: string, sources: string[], dest: string, skip: Set<string>): void {
  for (const source of sources) {
    const src = join(from, source);
    if (!existsSync(src)) throw new Error(`COPY ${source}: no such file in the context`);
    const target =
      dest.endsWith('/') || sources.length > 1 ? join(dest, source.split('/').pop()!) : dest;
    if (source === '.') {
      cpSync(src, dest, {
        recursive: true,
        filter: (s) => !skip.has(s.slice(from.length + 1)),
      });
    } else {
      mkdirSync(dirname(target), { recursive: true });
      cpSync(src, target, { recursive: true });
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      server.close(() => done(address.port));
    });
  });
}

/** An env file's `NAME=value` lines (what `outcomes init` writes and Compose reads). */
function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** Compose's `${VAR}`, `${VAR:?message}` and `${VAR:-default}`, from the env file. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind, rest) => {
    if (vars[name]) return vars[name];
    if (kind === '-') return rest as string;
    throw new Error(`compose: ${name} is not set (${rest ?? 'no default'})`);
  });
}

describe('docker: the image builds and the stack starts', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'image-'));
  const build = join(scratch, 'build');
  const image = join(scratch, 'image');
  const imageEnv: Record<string, string> = {};
  const children: ChildProcess[] = [];
  let schema: Awaited<ReturnType<typeof createTestSchema>>;

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
    await schema?.drop();
  });

  it('replays the Dockerfile: every RUN works with only the files copied before it', () => {
    const [buildStage, runtime] = stages(readFileSync(DOCKERFILE, 'utf8'));
    const skip = ignored();
    let dir = build;
    mkdirSync(dir, { recursive: true });
    for (const { op, args } of buildStage) {
      if (op === 'WORKDIR') continue; // the scratch directory stands for /app
      if (op === 'COPY') {
        const parts = args.split(/\s+/);
        copyInto(ROOT, parts.slice(0, -1), join(dir, parts.at(-1)!), skip);
      } else if (op === 'RUN') {
        for (const command of args.split('&&').map((c) => c.trim())) {
          if (/^npm ci\b/.test(command)) {
            // A fresh `npm ci` takes minutes here: the repository's installed tree stands for
            // it (hard links, so nothing is copied), then npm's install lifecycle runs as it
            // would, with only the files copied so far (the step that failed was postinstall).
            expect(existsSync(join(dir, 'package-lock.json'))).toBe(true);
            execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
            const r = spawnSync('npm', ['run', 'postinstall', '--if-present'], {
              cwd: dir,
              encoding: 'utf8',
            });
            expect({ command, status: r.status, stderr: r.stderr }).toEqual({
              command,
              status: 0,
              stderr: expect.any(String),
            });
          } else {
            const r = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8' });
            expect({ command, status: r.status, out: r.status ? r.stdout + r.stderr : '' }).toEqual(
              { command, status: 0, out: '' },
            );
          }
        }
      }
    }
    dir = image;
    mkdirSync(dir, { recursive: true });
    for (const { op, args } of runtime) {
      if (op === 'ENV') {
        for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) imageEnv[k] = v;
      } else if (op === 'COPY') {
        const from = /^--from=\S+\s+/.exec(args);
        const parts = args.slice(from?.[0].length ?? 0).split(/\s+/);
        if (from) {
          // Hard links: the built tree is large, and the replay only reads it.
          for (const src of parts.slice(0, -1)) {
            execFileSync('cp', [
              '-al',
              join(build, src.replace(/^\/app\//, '')),
              join(dir, parts.at(-1)!),
            ]);
          }
          continue;
        }
        const source = ROOT;
        copyInto(
          source,
          parts.slice(0, -1).map((p) => p.replace(/^\/app\//, '')),
          join(dir, parts.at(-1)!),
          skip,
        );
      } else if (op === 'RUN') {
        throw new Error('the runtime stage has a RUN: replay it here');
      }
    }
    expect(existsSync(join(image, 'dist', 'apps', 'api', 'src', 'main.js'))).toBe(true);
    // Production dependencies only.
    expect(existsSync(join(image, 'node_modules', 'jest'))).toBe(false);
    expect(imageEnv.NODE_ENV).toBe('production');
  }, 600_000);

  it('starts the API and the worker with exactly the compose environment, healthy by its checks', async () => {
    expect(existsSync(join(image, 'dist'))).toBe(true);
    const cli = join(image, 'dist', 'apps', 'cli', 'src', 'main.js');
    const envFile = join(scratch, '.env');
    execFileSync(process.execPath, [cli, 'init', '--file', envFile], {
      cwd: image,
      env: { ...process.env, ...imageEnv },
    });
    // Never replaced: the key in it decrypts the data already stored.
    const again = spawnSync(process.execPath, [cli, 'init', '--file', envFile], { cwd: image });
    expect(again.status).not.toBe(0);
    const vars = readEnvFile(envFile);

    const compose = parse(readFileSync(COMPOSE, 'utf8'), { merge: true }) as {
      services: Record<
        string,
        {
          environment: Record<string, string | number>;
          command: string[];
          healthcheck?: { test: string[] };
        }
      >;
    };
    const schemaJson = JSON.parse(
      readFileSync(join(ROOT, 'docker', 'compose-spec', 'compose-spec.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    // The schema names draft-07's meta-schema by its https address; Ajv ships it under http.
    ajv.addMetaSchema(draft7, 'https://json-schema.org/draft-07/schema');
    const valid = ajv.validate(schemaJson, parse(readFileSync(COMPOSE, 'utf8'), { merge: true }));
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);

    // Least privilege as compose sets it up: the apps connect as the service role and migrate as
    // the owner (scripts/db-roles.sql, mounted into the postgres image's init directory).
    const postgres = compose.services.postgres as unknown as {
      environment: Record<string, string>;
      volumes: string[];
    };
    const inits = postgres.volumes
      .map((v) => v.split(':'))
      .filter(([, target]) => target.startsWith('/docker-entrypoint-initdb.d/'));
    expect(inits.map(([, target]) => target)).toEqual([
      '/docker-entrypoint-initdb.d/10-db-roles.sql',
      '/docker-entrypoint-initdb.d/20-role-passwords.sh',
    ]);
    for (const [source] of inits) expect(existsSync(join(ROOT, 'docker', source))).toBe(true);
    const passwords = readFileSync(join(ROOT, 'docker', inits[1][0]), 'utf8');
    for (const name of ['OUTCOMES_OWNER_PASSWORD', 'OUTCOMES_SERVICE_PASSWORD']) {
      expect(passwords).toContain(name);
      expect(interpolate(postgres.environment[name], vars)).toBe(vars[name]);
      expect(vars[name]).toMatch(/^[0-9a-f]{48}$/);
    }
    schema = await createTestSchema('compose', { roles: true });
    /** A compose database URL on this machine: its user and password kept, host and database not. */
    const here = (url: string): string => {
      const target = new URL(url);
      const local = new URL(TEST_DATABASE_URL);
      target.host = local.host;
      target.pathname = local.pathname;
      return target.toString();
    };
    const heartbeat = join(scratch, 'heartbeat');
    const envOf = (service: string): NodeJS.ProcessEnv => {
      const environment = Object.fromEntries(
        Object.entries(compose.services[service].environment).map(([k, v]) => [
          k,
          interpolate(String(v), vars),
        ]),
      );
      for (const name of REQUIRED_IN_PRODUCTION) expect(environment).toHaveProperty(name);
      const serviceUrl = new URL(environment.DATABASE_URL);
      const ownerUrl = new URL(environment.DATABASE_MIGRATION_URL);
      expect([serviceUrl.username, serviceUrl.password]).toEqual([
        'outcomes_service',
        vars.OUTCOMES_SERVICE_PASSWORD,
      ]);
      expect([ownerUrl.username, ownerUrl.password]).toEqual([
        'outcomes_owner',
        vars.OUTCOMES_OWNER_PASSWORD,
      ]);
      return {
        PATH: process.env.PATH,
        ...imageEnv,
        ...environment,
        // Only what cannot exist here changes: the hosts of the stack's own network (and the
        // test database and schema), and EventStoreDB (no server on this machine), replaced by
        // the PostgreSQL store. The roles and their passwords stay compose's.
        EVENT_STORE: 'postgres',
        EVENTSTORE_CONNECTION_STRING: undefined,
        DATABASE_URL: here(environment.DATABASE_URL),
        DATABASE_MIGRATION_URL: here(environment.DATABASE_MIGRATION_URL),
        DATABASE_SCHEMA: schema.config.schema,
        REDIS_URL: 'redis://127.0.0.1:6379',
        HOST: '127.0.0.1',
        WORKER_HEARTBEAT_FILE: heartbeat,
      };
    };
    const port = await freePort();
    const start = (service: string, env: NodeJS.ProcessEnv) => {
      const [bin, ...args] = compose.services[service].command;
      const child = spawn(bin === 'node' ? process.execPath : bin, args, {
        cwd: image,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      children.push(child);
      return { child, stderr: () => stderr };
    };
    const healthy = (service: string, env: NodeJS.ProcessEnv) => {
      const [form, bin, ...args] = compose.services[service].healthcheck!.test;
      expect(form).toBe('CMD');
      return (
        spawnSync(bin === 'node' ? process.execPath : bin, args, { cwd: image, env }).status === 0
      );
    };
    const until = async (
      what: string,
      check: () => boolean | Promise<boolean>,
      exited: ChildProcess,
      log: () => string,
    ) => {
      const deadline = Date.now() + 60_000;
      while (!(await check())) {
        if (exited.exitCode !== null)
          throw new Error(`${what} exited (${exited.exitCode}): ${log()}`);
        if (Date.now() > deadline) throw new Error(`${what} not healthy in 60 s: ${log()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    const apiEnv = { ...envOf('api'), PORT: String(port) };
    const api = start('api', apiEnv);
    await until(
      'api',
      async () =>
        (await fetch(`http://127.0.0.1:${port}${HEALTH_PATH}`).catch(() => undefined))?.status ===
        200,
      api.child,
      api.stderr,
    );
    expect(healthy('api', apiEnv)).toBe(true);

    const workerEnv = envOf('worker');
    const worker = start('worker', workerEnv);
    await until('worker', () => healthy('worker', workerEnv), worker.child, worker.stderr);
  }, 120_000);

  it("makes the two roles with the env file's passwords when the postgres image initialises", async () => {
    // What the postgres image's entrypoint does on an empty data directory: create POSTGRES_DB,
    // then run /docker-entrypoint-initdb.d in name order as POSTGRES_USER (.sql with psql, an
    // executable .sh run with the container's environment), on a cluster of the test's own.
    const compose = parse(readFileSync(COMPOSE, 'utf8'), { merge: true }) as {
      services: { postgres: { volumes: string[]; environment: Record<string, string> } };
    };
    const vars = readEnvFile(join(scratch, '.env'));
    const environment = Object.fromEntries(
      Object.entries(compose.services.postgres.environment).map(([k, v]) => [
        k,
        interpolate(String(v), vars),
      ]),
    );
    const inits = compose.services.postgres.volumes
      .map((v) => v.split(':'))
      .filter(([, target]) => target.startsWith('/docker-entrypoint-initdb.d/'))
      .sort((a, b) => a[1].localeCompare(b[1]));
    const cluster = await startPgCluster();
    try {
      const env = {
        ...process.env,
        ...environment,
        POSTGRES_USER: 'postgres',
        PGHOST: '127.0.0.1',
        PGPORT: String(cluster.port),
      };
      const psql = (args: string[]) =>
        execFileSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', ...args], {
          env,
          encoding: 'utf8',
        });
      psql(['-d', 'postgres', '-c', `CREATE DATABASE ${environment.POSTGRES_DB}`]);
      for (const [source, target] of inits) {
        const file = join(ROOT, 'docker', source);
        if (target.endsWith('.sql')) psql(['-d', environment.POSTGRES_DB, '-f', file]);
        else execFileSync(file, { env });
      }
      const roles = psql([
        '-d',
        environment.POSTGRES_DB,
        '-Atc',
        `SELECT rolname, rolcanlogin, rolsuper, rolpassword FROM pg_authid
         WHERE rolname LIKE 'outcomes\\_%' ORDER BY rolname`,
      ])
        .trim()
        .split('\n')
        .map((l) => l.split('|'));
      expect(roles.map(([name, login, superuser]) => [name, login, superuser])).toEqual([
        ['outcomes_owner', 't', 'f'],
        ['outcomes_service', 't', 'f'],
      ]);
      // Stored as SCRAM verifiers: set, and different (two passwords).
      expect(roles[0][3]).toMatch(/^SCRAM-SHA-256\$/);
      expect(roles[1][3]).toMatch(/^SCRAM-SHA-256\$/);
      expect(roles[0][3]).not.toBe(roles[1][3]);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
