import { FAMILY_STREAM_PREFIX, familyStreamId } from '@app/domain';
import {
  EventStore,
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { definitionsFromEnv } from '@app/outcomes';
import { GeneratedFamily, generateFamilies, toNewEvents } from '@app/workload';
import { DataSource } from 'typeorm';
import { Projection } from './index';
import {
  FamiliesProjection,
  allProjections,
  projectionRegistry,
  readModelMigrations,
} from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { COHORT_KINDS, CohortFilter, LIVE, outcomeCounts } from '@app/outcomes';
import { rebuildProjections } from './rebuild';
import { ProjectionRunner, resetProjection, waitForProjections } from './runner';

const names = allProjections().map((p) => p.name);
const tables = allProjections().flatMap((p) => [...p.tables]);
const prefixes = [FAMILY_STREAM_PREFIX];

/** Every read model, rows in a stable order: what a rebuild must reproduce byte for byte. */
const readModels = async (db: DataSource) =>
  (
    await Promise.all(
      tables.map(async (t) =>
        JSON.stringify(await db.query(`SELECT * FROM ${t} r ORDER BY r::text`)),
      ),
    )
  ).join('\n');

/** Index and constraint names and definitions of the read-model tables. */
const indexes = async (db: DataSource) =>
  JSON.stringify(
    await db.query(
      `SELECT tablename, indexname, regexp_replace(indexdef, ' ON \\S+', ' ON t') AS def
       FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1)
       ORDER BY indexname`,
      [tables],
    ),
  );

/**
 * Appends families with their histories interleaved (a few events of each in turn), so a
 * family's events are spread over the log as in real use, not contiguous.
 */
async function appendInterleaved(
  store: EventStore,
  families: GeneratedFamily[],
  chunk = 4,
): Promise<bigint> {
  let last = 0n;
  const pending = families.map((f) => ({
    stream: familyStreamId(f.familyId),
    events: toNewEvents(f),
    done: 0,
  }));
  while (pending.some((p) => p.done < p.events.length)) {
    await Promise.all(
      pending
        .filter((p) => p.done < p.events.length)
        .map(async (p) => {
          const events = p.events.slice(p.done, p.done + chunk);
          const appended = await store.append(p.stream, events, {
            expectedRevision: p.done === 0 ? 'no_stream' : BigInt(p.done - 1),
          });
          if (appended.position > last) last = appended.position;
          p.done += events.length;
        }),
    );
  }
  return last;
}

/**
 * Waits until the store shows everything up to `position`: another session's open transaction
 * (the machine is shared) holds the visibility horizon back for a while.
 */
async function visible(store: EventStore, position: bigint): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await store.headPosition()) < position) {
    if (Date.now() > deadline) throw new Error(`position ${position} not visible in 30 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const workload = (seed: number, families: number) =>
  generateFamilies({
    seed,
    families,
    authorities: ['la_1', 'la_2', 'la_3'],
    from: '2022-01-01T00:00:00.000Z',
    to: '2026-06-30T00:00:00.000Z',
  });

describe('rebuildProjections', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    schema = await createTestSchema('rebuild');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
    ]);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config, { pollIntervalMs: 10 });
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
    await schema.drop();
  });

  const catchUp = async (to: bigint, batchSize = 50) => {
    await visible(store, to);
    const runner = new ProjectionRunner(store, db, allProjections(), {
      batchSize,
      streamPrefixes: prefixes,
    });
    runner.start();
    await waitForProjections(db, names, to, 60_000);
    await runner.stop();
  };

  it('rebuilds byte-identical read models, stream by stream and in position order', async () => {
    const last = await appendInterleaved(store, workload(7, 80));
    await catchUp(last);
    const built = await readModels(db);
    const builtIndexes = await indexes(db);
    expect(built).toContain('la_2');

    // Damage the live read models: the rebuild must not depend on them.
    await db.query(`DELETE FROM families WHERE authority = 'la_1'`);
    await db.query(`UPDATE outcome_episodes SET baseline_present = 0`);
    await db.query(`DELETE FROM family_timeline WHERE type = 'ReviewHeld'`);
    await db.query(`UPDATE follow_ups SET status = 'missed'`);
    expect(await readModels(db)).not.toEqual(built);

    // A batch size that splits families across batches; three threads replaying stream ranges.
    const result = await rebuildProjections(store, db, allProjections(), {
      batchSize: 97,
      workers: 3,
      registry: projectionRegistry,
      streamPrefixes: prefixes,
    });
    expect(await readModels(db)).toEqual(built);
    expect(await indexes(db)).toEqual(builtIndexes);
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM events')) as { n: number }[];
    expect(result.events).toBe(n);
    expect(result.position).toBe(last);
    const checkpoints = (await db.query(
      'SELECT DISTINCT position FROM projection_checkpoints WHERE name = ANY($1)',
      [names],
    )) as { position: string }[];
    expect(checkpoints.map((c) => BigInt(c.position))).toEqual([result.position]);
    const [{ shadows }] = (await db.query(
      `SELECT count(*)::int AS shadows FROM pg_namespace WHERE nspname = current_schema() || '__rebuild'`,
    )) as { shadows: number }[];
    expect(shadows).toBe(0);

    // Batches smaller than most families: a stream spans batches, which then wait for each other.
    await db.query(`DELETE FROM outcome_families`);
    await rebuildProjections(store, db, allProjections(), {
      batchSize: 23,
      workers: 1,
      registry: projectionRegistry,
      streamPrefixes: prefixes,
    });
    expect(await readModels(db)).toEqual(built);

    // A store without stream-ordered reads (EventStoreDB) replays in position order.
    await db.query(`DELETE FROM outcome_families`);
    const positional: EventStore = {
      append: (...a) => store.append(...a),
      readStream: (...a) => store.readStream(...a),
      readAll: (...a) => store.readAll(...a),
      subscribeAll: (...a) => store.subscribeAll(...a),
      headPosition: () => store.headPosition(),
      lastPosition: () => store.lastPosition(),
      identity: () => store.identity(),
      // A store with no fast path: it cannot count or cut, and shares no database (as EventStoreDB).
      countEvents: () => Promise.resolve(undefined),
      streamRanges: () => Promise.resolve([{}]),
      sharesDatabaseWith: () => Promise.resolve(false),
      copyEvents: (...a) => store.copyEvents(...a),
      analyze: () => Promise.resolve(),
      close: async () => undefined,
    };
    await rebuildProjections(positional, db, allProjections(), {
      batchSize: 61,
      streamPrefixes: prefixes,
    });
    expect(await readModels(db)).toEqual(built);
  }, 60_000);

  it('swaps in only when caught up: a polling reader never sees a partial table, and writes during the rebuild are all applied', async () => {
    const live = new ProjectionRunner(store, db, allProjections(), {
      batchSize: 50,
      streamPrefixes: prefixes,
      standbyRetryMs: 20,
    });
    live.start();
    const before = await store.headPosition();
    await waitForProjections(db, names, before, 60_000);

    // A reader polling the live tables: counts only ever grow (a half-built table would shrink them).
    let polling = true;
    const seen = { families: 0, timeline: 0, episodes: 0, polls: 0, shrank: [] as string[] };
    const reader = (async () => {
      while (polling) {
        const [r] = (await db.query(
          `SELECT (SELECT count(*)::int FROM families) AS families,
                  (SELECT count(*)::int FROM family_timeline) AS timeline,
                  (SELECT count(*)::int FROM outcome_episodes) AS episodes`,
        )) as { families: number; timeline: number; episodes: number }[];
        for (const k of ['families', 'timeline', 'episodes'] as const) {
          if (r[k] < seen[k]) seen.shrank.push(`${k} ${seen[k]} → ${r[k]}`);
          seen[k] = Math.max(seen[k], r[k]);
        }
        seen.polls++;
      }
    })();

    // Writers keep appending new families throughout the rebuild, and more just before the swap.
    const more = workload(8, 90);
    let last = before;
    const max = (p: bigint) => (last = p > last ? p : last);
    const writer = (async () => {
      for (let i = 0; i < 60; i += 6) max(await appendInterleaved(store, more.slice(i, i + 6)));
    })();
    const result = await rebuildProjections(store, db, allProjections(), {
      batchSize: 40,
      workers: 2,
      registry: projectionRegistry,
      streamPrefixes: prefixes,
      beforeSwap: async () => {
        max(await appendInterleaved(store, more.slice(60, 90)));
      },
    });
    await writer;
    expect(result.events).toBeGreaterThan(0);

    // Nothing missed: the live runner resumes from the swapped-in checkpoint to the head.
    await waitForProjections(db, names, last, 60_000);
    polling = false;
    await reader;
    await live.stop();
    expect(seen.shrank).toEqual([]);
    expect(seen.polls).toBeGreaterThan(5);

    const [counts] = (await db.query(
      `SELECT (SELECT count(*)::int FROM streams WHERE stream_id LIKE 'family-%') AS streams,
              (SELECT count(*)::int FROM families) AS families,
              (SELECT count(*)::int FROM events) AS events,
              (SELECT count(*)::int FROM family_timeline) AS timeline`,
    )) as { streams: number; families: number; events: number; timeline: number }[];
    expect(counts.families).toBe(counts.streams);
    expect(counts.timeline).toBe(counts.events);
    expect(counts.families).toBe(80 + 90);

    // And exactly what a from-scratch build gives.
    const rebuilt = await readModels(db);
    for (const p of allProjections()) await resetProjection(db, p);
    await catchUp(last, 500);
    expect(await readModels(db)).toEqual(rebuilt);
  }, 90_000);

  it('refuses to replay in worker threads a projection they cannot make, and leaves no shadow schema', async () => {
    const before = await readModels(db);
    const families = new FamiliesProjection();
    const custom: Projection = {
      name: 'families_custom',
      tables: families.tables,
      apply: (events, tx) => families.apply(events, tx),
    };
    await expect(
      rebuildProjections(store, db, [custom], {
        workers: 2,
        registry: projectionRegistry,
        streamPrefixes: prefixes,
      }),
    ).rejects.toThrow('replay workers cannot make projection families_custom');
    const [{ shadows }] = (await db.query(
      `SELECT count(*)::int AS shadows FROM pg_namespace WHERE nspname = current_schema() || '__rebuild'`,
    )) as { shadows: number }[];
    expect(shadows).toBe(0);
    expect(await readModels(db)).toEqual(before);
  });

  it('keeps the outcome rollup equal to the episodes it sums, for every cohort and whole-month filter', async () => {
    const definitions = definitionsFromEnv();
    const filters: CohortFilter[] = [
      {},
      { authority: 'la_2' },
      { programme: 'fip' },
      { exitedFrom: '2024-01-01T00:00:00.000Z', exitedBefore: '2025-01-01T00:00:00.000Z' },
      { authority: 'la_1', exitedFrom: '2025-04-01T00:00:00.000Z' },
      { referredFrom: '2023-01-01T00:00:00.000Z', referredBefore: '2025-07-01T00:00:00.000Z' },
      { authority: 'la_3', referredBefore: '2024-02-01T00:00:00.000Z' },
    ];
    let nonEmpty = 0;
    for (const filter of filters) {
      for (const cohort of COHORT_KINDS) {
        const detail = await outcomeCounts(db, definitions, filter, cohort, LIVE, {
          rollup: false,
        });
        const rolled = await outcomeCounts(db, definitions, filter, cohort);
        expect({ filter, cohort, counts: rolled }).toEqual({ filter, cohort, counts: detail });
        if (detail.families > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(15);
    // The answers above did come from the rollup: without it they are empty.
    await db.query('DELETE FROM outcome_rollup');
    const emptied = await outcomeCounts(db, definitions, {}, 'all_started');
    expect(emptied.families).toBe(0);
  }, 30_000);
});
