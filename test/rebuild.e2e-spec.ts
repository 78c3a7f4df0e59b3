import { execFile } from 'node:child_process';
import { FAMILY_STREAM_PREFIX, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { generateFamilies, toNewEvents } from '@app/workload';
import { DataSource } from 'typeorm';
import { CLI } from './support/worker';

const run = (schema: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: {
          ...process.env,
          DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          DATABASE_SCHEMA: schema,
          EVENT_STORE: 'postgres',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );

const rows = async (db: DataSource, table: string) =>
  JSON.stringify(await db.query(`SELECT * FROM ${table} r ORDER BY r::text`));

describe('outcomes rebuild (CLI)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    schema = await createTestSchema('rebuild_cli');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
    ]);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config);
    const families = generateFamilies({ seed: 3, families: 40, to: '2026-06-30T00:00:00Z' });
    let last = 0n;
    for (const f of families) {
      const appended = await store.append(familyStreamId(f.familyId), toNewEvents(f), {
        expectedRevision: 'no_stream',
      });
      if (appended.position > last) last = appended.position;
    }
    const runner = new ProjectionRunner(store, db, allProjections(), {
      streamPrefixes: [FAMILY_STREAM_PREFIX],
    });
    runner.start();
    await waitForProjections(
      db,
      allProjections().map((p) => p.name),
      last, // not headPosition(): another session's open transaction can hold that back
      30_000,
    );
    await runner.stop();
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await db.destroy();
    await schema.drop();
  });

  it('rebuilds the named projections only, to what the runner had built, and reports it', async () => {
    const episodes = await rows(db, 'outcome_episodes');
    const families = await rows(db, 'families');
    await db.query('DELETE FROM outcome_episodes');
    await db.query(`UPDATE families SET status = 'referred'`);

    const result = await run(schema.config.schema!, ['rebuild', 'outcomes']);
    expect(result.stderr).toMatch(/rebuild: \d+ events in/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^rebuilt outcomes: \d+ events in [\d.]+ s \(\d+ events\/s\), checkpoint \d+\n$/,
    );
    expect(await rows(db, 'outcome_episodes')).toEqual(episodes);
    // Not named, so not rebuilt: still damaged.
    expect(await rows(db, 'families')).not.toEqual(families);
  }, 60_000);

  it('refuses an unknown projection by name, listing the known ones', async () => {
    const result = await run(schema.config.schema!, ['rebuild', 'outcomez']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown projection outcomez; known: families, family_timeline',
    );
  }, 30_000);
});
