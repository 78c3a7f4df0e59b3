import { randomUUID } from 'node:crypto';
import { FAMILY_STREAM_PREFIX, FamilyEvent, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { DEFAULT_FOLLOW_UP_POLICY, scheduleFor } from '@app/follow-ups/policy';
import { definitionsFromEnv } from '@app/outcomes';
import { ProjectionRunner, rebuildProjections, waitForProjections } from '@app/projections';
import { allProjections, readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from '@app/savings';
import { GeneratedFamily, generateFamilies, toNewEvents } from '@app/workload';
import { DataSource } from 'typeorm';
import { ReturnRequest, buildReturn, composeReturn, periodBounds } from './builder';
import { savingsCostAvoidance } from './costs';
import { returnsMigrations } from './index';
import { followUpsInPeriod } from './read-models';
import { Scope, recordsAt } from './records';
import { DEFAULT_SPEC, specNamed } from './spec';
import { CellKeys } from './cell-key';
import { exactCellKeys, testCellKeys, testKeyOf } from './testing/cell-keys';

/**
 * The builder reads settled families from the read models and folds only the others; the pure
 * fold of every family's events up to P (`recordsAt`) is the oracle. Same content hash, for every
 * scope and period, at positions where some families are not settled, and after a rebuild.
 */

const definitions = definitionsFromEnv();
// The lowest threshold (only 1s hidden): a small count that differed would be hidden otherwise.
const spec = { ...specNamed(DEFAULT_SPEC)!, disclosure: { threshold: 2 } };
const costs = savingsCostAvoidance();
const names = allProjections().map((p) => p.name);
const AUTHORITIES = ['la_1', 'la_2', 'la_3'];
const PERIODS = [
  { periodStart: '2024-01-01', periodEnd: '2024-12-31' },
  { periodStart: '2025-04-01', periodEnd: '2026-03-31' },
];
const SCOPES: Scope[] = [null, 'la_1', 'la_2'];
const DAY = 86_400_000;

type Batch = { family: GeneratedFamily; events: GeneratedFamily['events'] };

const extra = (event: FamilyEvent) => ({ id: randomUUID(), event });

describe('returns from the read models (settled families) and the fold (the others)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  const revisions = new Map<string, number>();

  beforeAll(async () => {
    schema = await createTestSchema('returns_rm');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
      ...returnsMigrations,
    ]);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config, { pollIntervalMs: 10 });
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
    await schema.drop();
  });

  /** Appends the batches a few events at a time, families interleaved; the last position. */
  async function append(batches: Batch[], chunk = 3): Promise<bigint[]> {
    const positions: bigint[] = [];
    const pending = batches.map((b) => ({ b, done: 0 }));
    while (pending.some((p) => p.done < p.b.events.length)) {
      for (const p of pending.filter((x) => x.done < x.b.events.length)) {
        const family = { ...p.b.family, events: p.b.events.slice(p.done, p.done + chunk) };
        const seen = revisions.get(family.familyId) ?? 0;
        const appended = await store.append(familyStreamId(family.familyId), toNewEvents(family), {
          expectedRevision: seen === 0 ? 'no_stream' : BigInt(seen - 1),
        });
        revisions.set(family.familyId, seen + family.events.length);
        p.done += family.events.length;
        positions.push(appended.position);
      }
    }
    return positions;
  }

  const catchUp = async () => {
    const head = await store.headPosition();
    const runner = new ProjectionRunner(store, db, allProjections(), {
      batchSize: 37,
      streamPrefixes: [FAMILY_STREAM_PREFIX],
    });
    runner.start();
    await waitForProjections(db, names, head, 60_000);
    await runner.stop();
    return head;
  };

  const built = (request: ReturnRequest, position: bigint, cellKeys: CellKeys) =>
    buildReturn({ db, definitions, software: 'test', cellKeys, costs }, spec, request, position);

  const oracle = async (
    scope: Scope,
    request: ReturnRequest,
    position: bigint,
    cellKeys: CellKeys,
  ) => {
    const records = await recordsAt(db, definitions, scope, position);
    const ctx = { db, definitions, software: 'test', cellKeys, costs };
    return composeReturn(ctx, spec, request, position, {
      episodes: { kind: 'rows', episodes: records.episodes },
      followUps: followUpsInPeriod(records.followUps, periodBounds(request), testKeyOf),
    });
  };

  /**
   * Every scope and period at P: the builder's hash is the oracle's, perturbed (the keys agree
   * too) or not (`exactCellKeys`: the true counts agree). Returns what was counted.
   */
  async function agreeAt(position: bigint, cellKeys: CellKeys = testCellKeys) {
    let counted = { planned: 0, completed: 0, missed: 0 };
    for (const authority of SCOPES) {
      for (const period of PERIODS) {
        const request = { authority, ...period };
        const [a, b] = [
          await built(request, position, cellKeys),
          await oracle(authority, request, position, cellKeys),
        ];
        expect({ authority, period, json: a.json }).toEqual({ authority, period, json: b.json });
        expect(a.sha256).toBe(b.sha256);
        const cell = (table: string, row: string, column: string) => {
          const t = a.content.sections.flatMap((s) => s.tables).find((x) => x.id === table);
          const v = t?.rows.find((r) => r.id === row)?.values[column];
          return typeof v === 'number' ? v : 0;
        };
        if (authority === null) {
          counted = {
            planned: counted.planned + cell('referrals', 'families', 'planned_exit'),
            completed: counted.completed + cell('follow_ups_done', 'revisits', 'completed'),
            missed: counted.missed + cell('follow_ups_done', 'revisits', 'missed'),
          };
        }
      }
    }
    return counted;
  }

  const unsettledAt = async (position: bigint) => {
    const [r] = (await db.query(
      `SELECT count(*) FILTER (WHERE position > $1)::int AS unsettled,
              count(*) FILTER (WHERE position <= $1)::int AS settled
       FROM outcome_families`,
      [position.toString()],
    )) as { unsettled: number; settled: number }[];
    return r;
  };

  it('gives the fold’s return at positions with unsettled families, with transfers, late events and missed revisits, and after a rebuild', async () => {
    const families = generateFamilies({
      seed: 29,
      families: 150,
      authorities: AUTHORITIES,
      from: '2023-01-01T00:00:00.000Z',
      to: '2026-06-30T00:00:00.000Z',
    });
    // Every third family's last three events are recorded late (after everything else).
    const late = (i: number) => i % 3 === 0;
    const first = await append(
      families.map((family, i) => ({
        family,
        events: late(i) ? family.events.slice(0, -3) : family.events,
      })),
    );
    const middle = first[Math.floor(first.length / 2)];

    // Then, per family in stream order: the late events, a transfer, a missed revisit.
    const second: Batch[] = [];
    let transfers = 0;
    families.forEach((family, i) => {
      const more: GeneratedFamily['events'] = late(i) ? family.events.slice(-3) : [];
      const events = family.events.map((e) => e.event);
      const last = events[events.length - 1].data.occurredAt;
      // Every fifth family moves to the next authority, dated at its last event.
      if (i % 5 === 1) {
        const to = AUTHORITIES[(AUTHORITIES.indexOf(family.authority) + 1) % AUTHORITIES.length];
        more.push(
          extra({
            type: 'FamilyTransferred',
            data: { occurredAt: last, fromAuthority: family.authority, toAuthority: to },
          }),
        );
        transfers++;
      }
      // Half the planned exits without a scheduled revisit get one, missed a month on.
      const exit = events.find((e) => e.type === 'FamilyExited');
      const planned = exit?.type === 'FamilyExited' && exit.data.exitType === 'planned';
      if (planned && !events.some((e) => e.type === 'FollowUpScheduled') && i % 2 === 0) {
        const occurredAt = exit.data.occurredAt;
        more.push(
          extra({
            type: 'FollowUpScheduled',
            data: { occurredAt, episode: 1, ...scheduleFor(DEFAULT_FOLLOW_UP_POLICY, occurredAt) },
          }),
          extra({
            type: 'FollowUpMissed',
            data: {
              occurredAt: new Date(Date.parse(occurredAt) + 30 * DAY).toISOString(),
              episode: 1,
              reason: 'uncontactable',
            },
          }),
        );
      }
      if (more.length) second.push({ family, events: more });
    });
    expect(transfers).toBe(30);
    const beforeLate = await store.headPosition();
    await append(second, 1);
    const head = await catchUp();

    // Some families are not settled at the earlier positions, so both paths are taken.
    for (const p of [middle, beforeLate]) {
      const s = await unsettledAt(p);
      expect(s.unsettled).toBeGreaterThan(0);
      expect(s.settled).toBeGreaterThan(0);
    }
    const counted = [
      await agreeAt(middle),
      await agreeAt(beforeLate),
      await agreeAt(head, exactCellKeys),
    ];
    // Not vacuous: the national returns counted planned exits, completed and missed revisits.
    expect(counted[2].planned).toBeGreaterThan(0);
    expect(counted[2].completed).toBeGreaterThan(0);
    expect(counted[2].missed).toBeGreaterThan(0);

    // After a rebuild of every read model, and with rows from before the position column.
    await rebuildProjections(store, db, allProjections(), {
      batchSize: 53,
      streamPrefixes: [FAMILY_STREAM_PREFIX],
    });
    await db.query(`UPDATE outcome_families SET position = NULL WHERE family_id::text < '8'`);
    await agreeAt(middle);
    await agreeAt(head);
  }, 240_000);

  it('waits for the read models to reach the position, and says so when they do not', async () => {
    const head = await store.headPosition();
    await expect(
      buildReturn(
        { db, definitions, software: 'test', cellKeys: testCellKeys, waitMs: 200 },
        spec,
        { authority: null, ...PERIODS[0] },
        head + 1_000_000n,
      ),
    ).rejects.toThrow(/did not reach position/);
  });
});
