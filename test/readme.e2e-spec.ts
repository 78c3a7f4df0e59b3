import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema } from '@app/event-store/testing';
import { pollUntil } from './support/wait';
import { assertWorkerBuilt, exited } from './support/worker';

/*
 * The README's "Run it" and "Five-minute tour" commands, run as a newcomer would after setting
 * DATABASE_URL, DATABASE_SCHEMA and PORT (a fresh schema in the test database, a free port, never
 * the `postgres` database or port 3000), with the built apps. What is run, and how:
 *
 * - Set-up lines are checked to be in the README, not run: `createdb` and the `export` of
 *   DATABASE_URL/PORT/REDIS_URL (the test exports its own database, schema and port instead);
 *   `npm ci && npm run dev|build` and `npm start` (the test starts the built API and worker with
 *   the same environment); `outcomes init` and `docker compose` (test/docker.e2e-spec.ts).
 * - Every other command runs through bash, unchanged but for: `localhost:3000` becomes the free
 *   port; `<familyId>` and `<id>` are taken from the answers before them; `demo` gets
 *   `--families 40` (3,000 take too long for a test); each curl gets `-w` to report its status,
 *   which must be below 400. `export NAME=$(…)` lines carry NAME to the commands after them.
 * - A read the README says can lag (`GET /v1/families/<familyId>`, the return until `built`) is
 *   repeated until it answers as the README says, for at most 20 s.
 * - A `# → [status] {…}` line after a command is the answer: that status if written, the same
 *   keys, and every value not written `…` equal.
 */

const README = join(__dirname, '..', 'README.md');
const ROOT = join(__dirname, '..');

interface Command {
  line: string;
  /** The documented answer (`# → …`), if any. */
  answer?: string;
}

/** The commands of the `sh` blocks between two headings, continuation lines joined. */
function readmeCommands(text: string, from: string, to: string): Command[] {
  const section = text.slice(text.indexOf(from), text.indexOf(to));
  const commands: Command[] = [];
  for (const [, block] of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = '';
    for (const raw of block.split('\n')) {
      const line = raw.trimEnd();
      const answer = /^# → (.*)$/.exec(line);
      if (answer) {
        commands[commands.length - 1].answer = answer[1];
        continue;
      }
      if (line.startsWith('#') || (!line && !pending)) continue;
      pending += line.replace(/\\$/, ' ');
      if (line.endsWith('\\')) continue;
      // Quoted JSON bodies span lines without a backslash: wait for the quote to close.
      if ((pending.match(/'/g) ?? []).length % 2 === 1) {
        pending += '\n';
        continue;
      }
      commands.push({ line: pending.replace(/\s+#[^'"]*$/, '').trim() });
      pending = '';
    }
  }
  return commands;
}

const NOT_RUN = [
  /^createdb /,
  /^export DATABASE_URL=/,
  /^export PORT=/,
  /^npm ci && npm run (dev|build)$/,
  /^npm start$/,
  /^npx outcomes init /,
  /^docker compose /,
];

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The documented answer: its status if written, the same keys, values other than `…` equal. */
function expectShape(code: number, actual: unknown, documented: string): void {
  const [, status, json] = /^(?:(\d{3}) )?(.*)$/.exec(documented)!;
  if (status) expect(code).toBe(Number(status));
  const shape = JSON.parse(json.replace(/"…"/g, '"__any__"')) as Record<string, unknown>;
  expect(Object.keys(actual as object).sort()).toEqual(Object.keys(shape).sort());
  for (const [key, value] of Object.entries(shape)) {
    if (value !== '__any__') expect((actual as Record<string, unknown>)[key]).toEqual(value);
  }
}

describe('README: the Run it and tour commands', () => {
  const children: ChildProcess[] = [];
  let drop: () => Promise<void>;
  let dir: string;

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hold against a fresh schema and port, with the built apps', async () => {
    assertWorkerBuilt();
    const commands = readmeCommands(readFileSync(README, 'utf8'), '## Run it', '## Test it');
    const skipped = commands.filter((c) => NOT_RUN.some((r) => r.test(c.line)));
    // Every kind of set-up line is still documented (a README without them would mislead).
    for (const rule of NOT_RUN) expect(skipped.some((c) => rule.test(c.line))).toBe(true);
    const run = commands.filter((c) => !skipped.includes(c));
    expect(run.length).toBeGreaterThanOrEqual(15);

    const schema = await createTestSchema('readme');
    drop = schema.drop;
    const port = await freePort();
    // A working directory of its own, so `-o chart.svg` and the like land there; `npm run cli`
    // finds the package and the built CLI through links.
    dir = mkdtempSync(join(tmpdir(), 'readme-'));
    for (const name of ['package.json', 'dist', 'node_modules']) {
      symlinkSync(join(ROOT, name), join(dir, name));
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: schema.config.url,
      DATABASE_SCHEMA: schema.config.schema,
      PORT: String(port),
      REDIS_URL: 'redis://127.0.0.1:6379',
      EVENT_STORE: 'postgres',
      HOST: '127.0.0.1',
    };
    // `npm start`: the API and the worker.
    for (const app of ['api', 'worker']) {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
        env,
        stdio: 'ignore',
      });
      children.push(child);
    }
    const ready = await pollUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.ok,
      (ok) => ok === true,
      { timeoutMs: 30_000 },
    );
    if (!ready) throw new Error('the API did not become ready in 30 s');

    const found: Record<string, string> = {};
    const bash = (line: string) =>
      spawnSync('bash', ['-c', line], { cwd: dir, env, encoding: 'utf8', timeout: 40_000 });

    for (const command of run) {
      let line = command.line
        .replace(/localhost:3000/g, `localhost:${port}`)
        .replace(/<(familyId|id)>/g, (_, name: string) => {
          if (!found[name]) throw new Error(`no earlier answer gave ${name} for: ${command.line}`);
          return found[name];
        });
      if (/cli -- demo$/.test(line)) line += ' --families 40';

      const exported = /^export (\w+)=\$\((.*)\)$/.exec(line);
      if (exported) {
        const r = bash(exported[2]);
        expect({ line, status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
        env[exported[1]] = r.stdout.trim();
        continue;
      }
      if (!line.startsWith('curl ')) {
        const r = bash(line);
        expect({ line, status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
        continue;
      }

      // Reads that may lag are repeated until they answer as documented.
      const lags = /\/v1\/families\/[^/\s]+ /.test(line) || /\/v1\/returns\/[^/\s]+ /.test(line);
      const until = Date.now() + 20_000;
      for (;;) {
        const r = bash(`${line} -w '\\n%{http_code}'`);
        expect({ line, status: r.status }).toEqual({ line, status: 0 });
        const lines = r.stdout.trimEnd().split('\n');
        const code = Number(lines.pop());
        const body = lines.join('\n');
        const pending =
          lags &&
          (code === 404 ||
            (/\/v1\/returns\//.test(line) &&
              (JSON.parse(body) as { status?: string }).status !== 'built'));
        if (pending && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        if (code >= 400) throw new Error(`${line}\nanswered ${code}: ${body.slice(0, 300)}`);
        const output = / -o (\S+)/.exec(line);
        if (output) {
          expect(statSync(join(dir, output[1])).size).toBeGreaterThan(0);
        } else {
          const json = JSON.parse(body) as Record<string, unknown>;
          if (command.answer) expectShape(code, json, command.answer);
          for (const key of ['familyId', 'id']) {
            if (typeof json[key] === 'string') found[key] = json[key];
          }
        }
        break;
      }
    }
  }, 90_000);
});
