import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseConfig, createPool, quoteIdent } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { connectRedis } from '@app/follow-ups';
import { definitionsFromEnv } from '@app/outcomes';
import { CLI } from './support/worker';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The demo's follow-up tick queues jobs under this prefix; removed after the tests. */
const PREFIX = `cli-e2e-${randomUUID().slice(0, 8)}`;

const cli = (database: DatabaseConfig, args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          DATABASE_SCHEMA: database.schema,
          EVENT_STORE: 'postgres',
          FOLLOW_UP_QUEUE_PREFIX: PREFIX,
        },
        timeout: 50_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );

const eventCount = async (database: DatabaseConfig): Promise<number> => {
  const pool = createPool({ url: database.url, max: 1 });
  try {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quoteIdent(database.schema!)}.events`,
    );
    return Number(rows[0].n);
  } finally {
    await pool.end();
  }
};

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('outcomes CLI', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'outcomes-cli-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const redis = connectRedis();
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  describe('import', () => {
    let db: { config: DatabaseConfig; drop: () => Promise<void> };
    beforeAll(async () => (db = await createTestSchema('cli')));
    afterAll(() => db.drop());

    const family = randomUUID();
    const stranger = randomUUID();
    const referral = {
      authority: 'la_import',
      programme: 'fip',
      source: 'police',
      reasons: ['asb'],
    };
    // [familyId, id, type, occurredAt, data]; the file's line is the index + 2 (after the header).
    const rows: string[][] = [
      [family, '', 'FamilyReferred', '2024-01-02', JSON.stringify(referral)],
      [family, '', 'InterventionOffered', '2024-01-05', '{}'],
      [family, '', 'InterventionOffered', 'yesterday', '{}'],
      [family, '', 'InterventionAccepted', '2024-01-08T10:00:00Z', '{}'],
      [family, '', 'FamilyAdopted', '2024-01-09', '{}'],
      [family, '', 'KeyWorkerAssigned', '2024-01-10', '{not json'],
      [stranger, '', 'InterventionOffered', '2024-01-05', '{}'],
      [
        randomUUID(),
        '',
        'FamilyReferred',
        '2024-02-01',
        JSON.stringify({ ...referral, source: undefined }),
      ],
    ];
    const expectedRejects = [
      { line: 4, field: 'occurredAt', rule: 'isEffectiveDate' },
      { line: 6, field: 'type', rule: 'isIn' },
      { line: 7, field: 'data', rule: 'isJson' },
      { line: 8, field: 'familyId', rule: 'familyExists' },
      { line: 9, field: 'data.source' },
    ];

    it('stores the good rows, reports every bad row by line, field and rule, and stores nothing twice', async () => {
      const file = join(dir, 'history.csv');
      const header = 'familyId,id,type,occurredAt,data';
      writeFileSync(file, [header, ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n');

      const first = await cli(db.config, ['import', file]);
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toContain('read 8, stored 3, already stored 0, rejected 5');
      // stderr is not a terminal here: no bar, just the final line.
      expect(first.stderr).not.toContain('\r');
      expect(first.stderr).toMatch(/^import: 8 rows in /m);
      expect(await eventCount(db.config)).toBe(3);

      const rejects = readFileSync(`${file}.rejects.ndjson`, 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { line: number; field: string; rule: string; message: string },
        );
      for (const expected of expectedRejects) {
        expect(rejects).toContainEqual(expect.objectContaining(expected));
      }
      expect(new Set(rejects.map((r) => r.line))).toEqual(
        new Set(expectedRejects.map((r) => r.line)),
      );
      for (const r of rejects) expect(r.rule && r.message).toBeTruthy();

      const again = await cli(db.config, ['import', file]);
      expect(again).toMatchObject({ code: 0 });
      expect(again.stdout).toContain('read 8, stored 0, already stored 3, rejected 5');
      expect(await eventCount(db.config)).toBe(3);
    }, 30_000);

    it('reads NDJSON the same way, with the row id as the event id', async () => {
      const file = join(dir, 'more.ndjson');
      const id = randomUUID();
      const good = {
        familyId: family,
        id,
        type: 'KeyWorkerAssigned',
        occurredAt: '2024-01-10',
        data: { workerId: 'kw-1' },
      };
      writeFileSync(file, `${JSON.stringify(good)}\n\n{"familyId":\n`);
      const rejectsPath = join(dir, 'more.rejects');

      const run = await cli(db.config, ['import', file, '--rejects', rejectsPath]);
      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toContain('read 2, stored 1, already stored 0, rejected 1');
      expect(JSON.parse(readFileSync(rejectsPath, 'utf8'))).toMatchObject({
        line: 3,
        field: 'line',
        rule: 'isJson',
      });
      expect(await eventCount(db.config)).toBe(4);
    }, 30_000);

    it('matches coded fields to the code lists: any case stored as the code, an unlisted one rejected', async () => {
      const file = join(dir, 'codes.ndjson');
      const referred = randomUUID();
      const rows = [
        {
          familyId: referred,
          type: 'FamilyReferred',
          occurredAt: '2024-03-01',
          data: { ...referral, programme: 'FIP', source: 'Police', reasons: ['ASB'] },
        },
        {
          familyId: referred,
          type: 'AsbIncidentRecorded',
          occurredAt: '2024-03-02',
          data: { asbType: 'noise', sourceAgency: 'fire_brigade' },
        },
      ];
      writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const rejectsPath = join(dir, 'codes.rejects');

      const run = await cli(db.config, ['import', file, '--rejects', rejectsPath]);
      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toContain('read 2, stored 1, already stored 0, rejected 1');
      const reject = JSON.parse(readFileSync(rejectsPath, 'utf8')) as Record<string, unknown>;
      expect(reject).toMatchObject({ line: 2, field: 'data.sourceAgency', rule: 'code-list' });
      expect(reject.allowed).toContain('police');
      const pool = createPool({ url: db.config.url, max: 1 });
      try {
        const { rows: stored } = await pool.query<{ data: Record<string, unknown> }>(
          `SELECT data FROM ${quoteIdent(db.config.schema!)}.events WHERE stream_id = $1`,
          [`family-${referred}`],
        );
        expect(stored.map((r) => r.data)).toEqual([
          expect.objectContaining({ programme: 'fip', source: 'police', reasons: ['asb'] }),
        ]);
      } finally {
        await pool.end();
      }
    }, 30_000);

    it('fails the run itself for a file it cannot read', async () => {
      const run = await cli(db.config, ['import', join(dir, 'missing.csv')]);
      expect(run.code).not.toBe(0);
    }, 30_000);
  });

  describe('demo', () => {
    let db: { config: DatabaseConfig; drop: () => Promise<void> };
    beforeAll(async () => (db = await createTestSchema('cli')));
    afterAll(() => db.drop());

    it('prints the outcomes table for every domain and a summary whose parts sum to the whole', async () => {
      const run = await cli(db.config, ['demo', '--families', '200', '--seed', '7']);
      expect(run).toMatchObject({ code: 0 });
      const lines = run.stdout.split('\n');

      const ids = definitionsFromEnv().domains.map((d) => d.id);
      expect(ids).toHaveLength(9);
      const header = lines.findIndex((l) => l.startsWith('domain '));
      const table = lines.slice(header + 2, header + 2 + ids.length).map((l) => l.split(/\s+/)[0]);
      expect(table).toEqual(ids);

      const count = (label: string) => {
        const line = lines.find((l) => l.startsWith(`${label}  `));
        if (!line) throw new Error(`no "${label}" line in:\n${run.stdout}`);
        return Number(line.trim().split(/\s+/).pop());
      };
      const parts = [
        'awaiting offer',
        'awaiting decision',
        'refused',
        'ongoing',
        'planned exits',
        'other exits',
      ];
      const whole = count('referred (total)');
      expect(whole).toBe(200);
      // Both cohorts, each with its n, and the attrition line (issue 15 item 2).
      expect(run.stdout).toMatch(/^Outcomes, demo_la, planned exits \(\d+ families\)/m);
      expect(run.stdout).toMatch(
        /^Outcomes, demo_la, all who started \(intention to treat\) \(\d+ families\)/m,
      );
      expect(run.stdout).toMatch(/^Attrition: 200 referred → \d+ started → \d+ planned exits/m);
      expect(parts.map(count).reduce((a, b) => a + b, 0)).toBe(whole);
      expect(run.stdout).toContain('Follow-up tick as at 2026-06-30');
      expect(run.stdout).toContain('Follow-up queue');
      expect(await eventCount(db.config)).toBeGreaterThan(200);
    }, 50_000);

    it('adds another authority beside the default demo, with ids of its own', async () => {
      const before = await eventCount(db.config);
      const run = await cli(db.config, [
        'demo',
        '--families',
        '50',
        '--seed',
        '7',
        '--authority',
        'other_la',
      ]);
      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toMatch(/referred \(total\)\s+50\b/);
      expect(await eventCount(db.config)).toBeGreaterThan(before + 50);
    }, 50_000);
  });
});
