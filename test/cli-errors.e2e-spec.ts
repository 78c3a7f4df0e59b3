import { spawnSync } from 'node:child_process';
import { CLI, assertWorkerBuilt } from './support/worker';

/** The built CLI, as an operator runs it: stderr and the exit code. */
const outcomes = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });

describe('outcomes (CLI) failures', () => {
  beforeAll(assertWorkerBuilt);

  it('says in one line why it failed, with a hint, and exits non-zero', () => {
    const down = outcomes(['import', 'no-such-file.csv'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres',
    });
    expect(down.status).toBe(1);
    const lines = down.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^outcomes: .*ECONNREFUSED.*\(hint: .*DATABASE_URL/);

    const unknown = outcomes(['import', 'no-such-file.csv'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database_17',
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringMatching(/createdb/)]);
  });
});
