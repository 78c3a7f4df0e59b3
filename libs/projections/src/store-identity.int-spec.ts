import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { familyStreamId } from '@app/domain';
import {
  DatabaseConfig,
  EventStore,
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import {
  PgCluster,
  createTestSchema,
  startPgCluster,
  testMetadata,
} from '@app/event-store/testing';
import { DataSource } from 'typeorm';
import { CheckpointMismatchError } from './checkpoint-identity';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { ProjectionRunner, projectionCheckpoints, waitForProjections } from './runner';

const names = allProjections().map((p) => p.name);

const referral = (authority = 'la-1') => ({
  id: randomUUID(),
  type: 'FamilyReferred',
  data: {
    occurredAt: '2025-01-10T00:00:00.000Z',
    authority,
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  },
  metadata: testMetadata({ authority }),
});

interface Ledger {
  db: DataSource;
  store: EventStore;
  close(): Promise<void>;
}

async function openLedger(config: DatabaseConfig): Promise<Ledger> {
  const db = createDataSource(config, [
    ...eventStoreMigrations,
    ...readModelMigrations,
    ...securityMigrations,
    ...savingsMigrations,
  ]);
  await migrate(db);
  const store = PostgresEventStore.connect(config, { pollIntervalMs: 20 });
  return {
    db,
    store,
    close: async () => {
      await store.close();
      await db.destroy();
    },
  };
}

async function referFamilies(
  store: EventStore,
  n: number,
): Promise<{ ids: string[]; last: bigint }> {
  const ids: string[] = [];
  let last = 0n;
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const r = await store.append(familyStreamId(id), [referral()], {
      expectedRevision: 'no_stream',
    });
    ids.push(id);
    if (r.position > last) last = r.position;
  }
  return { ids, last };
}

/** Every projection has applied `position`, and the family is in the read models. */
async function visible(ledger: Ledger, familyId: string, position: bigint): Promise<void> {
  await waitForProjections(ledger.db, names, position, 5_000);
  const rows = (await ledger.db.query('SELECT 1 FROM families WHERE family_id = $1', [
    familyId,
  ])) as unknown[];
  expect(rows).toHaveLength(1);
}

describe('Store identity and restores (real PostgreSQL clusters)', () => {
  describe('a pg_dump restored into a fresh cluster', () => {
    let source: PgCluster;
    let target: PgCluster;
    const dir = mkdtempSync(join(tmpdir(), 'restore-'));
    beforeAll(async () => {
      // The source stands for a cluster that has run a while (transaction ids in the millions);
      // the target is new, its ids start near 730, as after `initdb` for a managed service.
      [source, target] = await Promise.all([
        startPgCluster({ nextXid: 1_000_000 }),
        startPgCluster(),
      ]);
    }, 60_000);
    afterAll(async () => {
      await Promise.allSettled([source?.stop(), target?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps positions rising, opens an epoch, and every projection sees events appended after it', async () => {
      const before = await openLedger({ url: source.url, schema: 'ledger' });
      let identityBefore;
      let headBefore: bigint;
      try {
        const runner = new ProjectionRunner(before.store, before.db, allProjections());
        runner.start();
        const { last } = await referFamilies(before.store, 5);
        await waitForProjections(before.db, names, last);
        await runner.stop();
        identityBefore = await before.store.identity();
        headBefore = await before.store.lastPosition();
      } finally {
        await before.close();
      }

      const dump = join(dir, 'ledger.sql');
      execFileSync('pg_dump', ['-d', source.url, '-n', 'ledger', '-f', dump]);
      execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', target.url, '-f', dump]);

      const after = await openLedger({ url: target.url, schema: 'ledger' });
      try {
        // The hazard is real here: the new cluster's transaction ids are far below the positions.
        const [{ xid }] = (await after.db.query('SELECT pg_current_xact_id()::text AS xid')) as {
          xid: string;
        }[];
        expect(BigInt(xid) * 65536n).toBeLessThan(headBefore);

        // The API appends first (no worker has looked yet): still above everything restored.
        const { ids, last } = await referFamilies(after.store, 1);
        expect(last).toBeGreaterThan(headBefore);

        const identity = await after.store.identity();
        expect(identity.id).toBe(identityBefore.id);
        expect(identity.epoch).toBe(identityBefore.epoch + 1);
        expect(identity.epochs.at(-1)).toEqual({ epoch: identity.epoch, after: headBefore });

        const runner = new ProjectionRunner(after.store, after.db, allProjections());
        await runner.verify(); // checkpoints from before the restore are still this store's
        runner.start();
        try {
          await visible(after, ids[0], last);
          // And later appends, by the runner's subscription.
          const more = await referFamilies(after.store, 2);
          await visible(after, more.ids[1], more.last);
        } finally {
          await runner.stop();
        }
        const checkpoints = (await after.db.query(
          'SELECT DISTINCT store_id, epoch FROM projection_checkpoints',
        )) as { store_id: string; epoch: number }[];
        expect(checkpoints).toEqual([{ store_id: identity.id, epoch: identity.epoch }]);
      } finally {
        await after.close();
      }
    }, 90_000);
  });

  describe('read models pointed at another store', () => {
    let schemas: Awaited<ReturnType<typeof createTestSchema>>[];
    let mine: Ledger;
    let other: Ledger;
    beforeAll(async () => {
      schemas = await Promise.all([createTestSchema('ident'), createTestSchema('ident')]);
      [mine, other] = await Promise.all(schemas.map((s) => openLedger(s.config)));
    });
    afterAll(async () => {
      await Promise.allSettled([mine.close(), other.close()]);
      await Promise.allSettled(schemas.map((s) => s.drop()));
    });

    it('refuses to run, saying to rebuild, and applies nothing of the other store', async () => {
      const runner = new ProjectionRunner(mine.store, mine.db, allProjections());
      runner.start();
      const built = await referFamilies(mine.store, 3);
      await waitForProjections(mine.db, names, built.last);
      await runner.stop();
      const checkpoints = await projectionCheckpoints(mine.db);

      // The other deployment's events come later in this cluster: old code would apply them.
      const foreign = await referFamilies(other.store, 3);
      expect(foreign.last).toBeGreaterThan(built.last);

      const errors: string[] = [];
      const wrong = new ProjectionRunner(other.store, mine.db, allProjections(), {
        logger: { log: () => undefined, error: (m) => errors.push(m) },
      });
      await expect(wrong.verify()).rejects.toThrow(CheckpointMismatchError);
      await expect(wrong.verify()).rejects.toThrow(/belongs to event store .*rebuild/);

      wrong.start();
      try {
        // Each projection stops with one line, known once every projection has said so.
        const deadline = Date.now() + 10_000;
        while (errors.length < names.length && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await wrong.stop();
      }
      expect(errors).toHaveLength(names.length);
      for (const name of names) {
        expect(errors).toContainEqual(expect.stringMatching(`projection ${name} will not run`));
      }
      expect(await projectionCheckpoints(mine.db)).toEqual(checkpoints);
      const rows = (await mine.db.query(
        'SELECT family_id FROM families WHERE family_id = ANY($1)',
        [foreign.ids],
      )) as unknown[];
      expect(rows).toEqual([]);
    });

    it('refuses checkpoints past the point the store was restored to', async () => {
      // Read models kept from a later state than the store (a restore of the log alone).
      const [{ id }] = [await mine.store.identity()];
      const head = await mine.store.lastPosition();
      await mine.db.query(`INSERT INTO event_store_epochs (epoch, after_position) VALUES (2, $1)`, [
        (head - 1n).toString(),
      ]);
      await mine.db.query(`UPDATE event_store SET epoch = 2`);
      const runner = new ProjectionRunner(mine.store, mine.db, allProjections());
      await expect(runner.verify()).rejects.toThrow(/past the point this store was restored to/);
      expect((await mine.store.identity()).id).toBe(id);
    });
  });
});
