import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseConfig } from '@app/event-store';

/** The built worker (`npm run build`), run as a real process. */
export const WORKER = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');

/** The operator's command line (`npx outcomes`), built beside the worker. */
export const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/** The follow-up tick as at a date: `outcomes followups tick --at <date>`. */
export const TICK = (at: Date): string[] => [CLI, 'followups', 'tick', '--at', at.toISOString()];

export function assertWorkerBuilt(): void {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run npm run build first`);
}

/** Starts the worker on `database`, with extra environment variables. */
export const startWorker = (
  database: DatabaseConfig,
  env: Record<string, string> = {},
  output: 'ignore' | 'pipe' = 'ignore',
): ChildProcess =>
  spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: database.schema,
      EVENT_STORE: 'postgres',
      ...env,
    },
    stdio: ['ignore', output, output],
  });

/** Resolves with the exit code (null when killed by a signal) once the process has ended. */
export const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', (code) => resolve(code)),
  );
