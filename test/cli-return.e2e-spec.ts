import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { familyStreamId } from '@app/domain';
import { definitionsFromEnv } from '@app/outcomes';
import {
  PTABLE_V1,
  buildReturn,
  cellKeys,
  savingsCostAvoidance,
  softwareVersion,
  specNamed,
} from '@app/returns';
import { cellKeySecretFrom } from '@app/security';
import { Harness, startHarness } from './support/harness';
import { storyOf } from './support/stories';
import { CLI } from './support/worker';

/** `outcomes return`: the same builder as the worker, to a file, reproducible byte for byte. */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('outcomes return (CLI)', () => {
  let h: Harness;
  let dir: string;

  const cli = (args: string[]): Promise<Run> =>
    new Promise((resolve) =>
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: {
            ...process.env,
            DATABASE_URL: h.config.database.url,
            DATABASE_SCHEMA: h.config.database.schema,
            EVENT_STORE: 'postgres',
          },
          timeout: 50_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'outcomes-return-'));
    // No projections here: the command catches the read models up itself.
    h = await startHarness({ projections: false });
    for (let i = 0; i < 60; i++) {
      await h.store.append(
        familyStreamId(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
        storyOf(i),
        {
          expectedRevision: 'no_stream',
        },
      );
    }
  }, 60_000);

  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the return to a file, stores it with its provenance, and writes it again identically', async () => {
    const first = await cli([
      'return',
      '--authority',
      'la-0',
      '--period',
      '2024',
      '--format',
      'json',
      '--out',
      join(dir, 'a.json'),
    ]);
    expect(first).toMatchObject({ code: 0 });
    const result = JSON.parse(first.stdout) as { id: string; sha256: string; position: string };
    const bytes = readFileSync(join(dir, 'a.json'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(result.sha256);
    const content = JSON.parse(bytes.toString());
    expect(content.return).toMatchObject({
      authority: 'la-0',
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
    });
    expect(content.provenance.position).toBe(result.position);
    // Perturbed with the deployment's keys (derived from the master key, as the worker's are):
    // the same return built here with them at the same position is the same bytes.
    expect(content.disclosure.perturbation).toMatchObject({ ptable: PTABLE_V1.id });
    expect(content.provenance.ptable).toBe(PTABLE_V1.id);
    const here = await buildReturn(
      {
        db: h.db,
        definitions: definitionsFromEnv(),
        software: softwareVersion(),
        cellKeys: cellKeys(cellKeySecretFrom(loadConfig())),
        costs: savingsCostAvoidance(),
      },
      specNamed(content.provenance.spec)!,
      { authority: 'la-0', periodStart: '2024-01-01', periodEnd: '2024-12-31' },
      BigInt(result.position),
    );
    expect(here.sha256).toBe(result.sha256);
    // Progress went to stderr (a final line when not on a terminal).
    expect(first.stderr).toMatch(/^return: 100 percent in/m);
    const [row] = (await h.db.query('SELECT status, sha256 FROM returns WHERE return_id = $1', [
      result.id,
    ])) as { status: string; sha256: string }[];
    expect(row).toEqual({ status: 'built', sha256: result.sha256 });

    const again = await cli([
      'return',
      '--authority',
      'la-0',
      '--from',
      '2024-01-01',
      '--to',
      '2024-12-31',
      '--format',
      'json',
      '--out',
      join(dir, 'b.json'),
    ]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'b.json'))).toEqual(bytes);

    const csv = await cli([
      'return',
      '--authority',
      'la-0',
      '--period',
      '2024',
      '--format',
      'csv',
      '--out',
      join(dir, 'a.csv'),
    ]);
    expect(csv.code).toBe(0);
    const text = readFileSync(join(dir, 'a.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe(
      'section,table,row,row_label,column,column_label,unit,value,cohort',
    );
    // This copy says when it was built, after the provenance (the content's bytes do not).
    expect(text).toMatch(/\nreturn,build,built,,value,,text,\d{1,2} \w+ \d{4} at \d\d:\d\d UTC,\n/);
    expect(text).toContain(`return,provenance,position,,value,,text,${result.position}`);
  }, 120_000);

  it('builds a national return with --authority national, stored with no authority', async () => {
    const run = await cli([
      'return',
      '--authority',
      'national',
      '--period',
      '2024',
      '--format',
      'json',
      '--out',
      join(dir, 'national.json'),
    ]);
    expect(run).toMatchObject({ code: 0 });
    const result = JSON.parse(run.stdout) as { id: string };
    const content = JSON.parse(readFileSync(join(dir, 'national.json'), 'utf8'));
    expect(content.return.authority).toBeNull();
    const [row] = (await h.db.query('SELECT authority, status FROM returns WHERE return_id = $1', [
      result.id,
    ])) as { authority: string | null; status: string }[];
    expect(row).toEqual({ authority: null, status: 'built' });
  }, 120_000);

  it('refuses a period it cannot read, writing nothing', async () => {
    const bad = await cli([
      'return',
      '--authority',
      'la-0',
      '--period',
      '2024-Q5',
      '--out',
      join(dir, 'x.csv'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/2024-Q5 is not a period/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});
