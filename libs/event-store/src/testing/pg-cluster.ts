import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's PostgreSQL 15 server binaries (initdb, pg_ctl, pg_resetwal are not on PATH). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** One pg_xact segment: 32 pages of 8 KiB, 2 bits per transaction. */
const XACT_SEGMENT_BYTES = 32 * 8192;
const XIDS_PER_XACT_SEGMENT = XACT_SEGMENT_BYTES * 4;

export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster of the test's own: `initdb` in a temporary directory, started on a free
 * port, removed by `stop()`. `nextXid` starts its transaction ids there (pg_resetwal), so a test
 * can stand for a long-lived production cluster. As root (CI), the server runs as `postgres`:
 * PostgreSQL refuses to run as root.
 */
export async function startPgCluster(options: { nextXid?: number } = {}): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const run = (bin: string, args: string[]) => {
    const result = spawnSync(join(PG_BIN, bin), args, {
      encoding: 'utf8',
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (result.status !== 0) {
      throw new Error(
        `${bin} failed (${result.status}): ${result.stderr || result.error?.message}`,
      );
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  if (options.nextXid) {
    if (options.nextXid >= XIDS_PER_XACT_SEGMENT) throw new RangeError('nextXid: below 1048576');
    run('pg_resetwal', ['-x', String(options.nextXid), data]);
    // The commit log's first segment must reach the new id: full length, zeros (never used).
    truncateSync(join(data, 'pg_xact', '0000'), XACT_SEGMENT_BYTES);
  }
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
