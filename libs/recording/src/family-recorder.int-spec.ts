import { randomUUID } from 'node:crypto';
import { FamilyEvent, familyStreamId, fixedClock } from '@app/domain';
import {
  EventStore,
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { DataSource } from 'typeorm';
import { FamilyNotFound, FamilyRecorder } from './family-recorder';

const actor = { id: 'kw-1', correlationId: 'c-1' };
const referral = (authority: string): FamilyEvent => ({
  type: 'FamilyReferred',
  data: {
    occurredAt: '2025-01-10T00:00:00.000Z',
    authority,
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  },
});
const offered: FamilyEvent = {
  type: 'InterventionOffered',
  data: { occurredAt: '2025-01-12T00:00:00.000Z' },
};
const accepted: FamilyEvent = {
  type: 'InterventionAccepted',
  data: { occurredAt: '2025-01-14T00:00:00.000Z' },
};
const review = (day: number): FamilyEvent => ({
  type: 'ReviewHeld',
  data: {
    occurredAt: `2025-02-${String(day).padStart(2, '0')}T00:00:00.000Z`,
    weeklyContactHours: 6,
  },
});

/**
 * A recorder keeps the history of the families it wrote last, so its next write to one does not
 * read the stream back. Another process writing to the same family makes that copy stale: every
 * answer must still be the one a fresh read would give.
 */
describe('FamilyRecorder with kept histories (PostgreSQL)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  let reads: number;
  const counting = (inner: EventStore): EventStore =>
    new Proxy(inner, {
      get(target, key, receiver) {
        if (key === 'readStream') {
          return (...args: Parameters<EventStore['readStream']>) => {
            reads++;
            return target.readStream(...args);
          };
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  const clock = fixedClock('2025-06-01T00:00:00.000Z');

  beforeAll(async () => {
    schema = await createTestSchema('recorder');
    db = createDataSource(schema.config, eventStoreMigrations);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config);
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
    await schema.drop();
  });

  async function twoRecorders() {
    reads = 0;
    const mine = new FamilyRecorder(counting(store), clock);
    const other = new FamilyRecorder(store, clock);
    const familyId = randomUUID();
    await mine.record({ familyId, event: referral('la-1'), actor, authority: 'la-1' });
    await mine.record({ familyId, event: offered, actor, authority: 'la-1' });
    return { mine, other, familyId };
  }

  it('writes again to a family it wrote without reading its stream', async () => {
    const { mine, familyId } = await twoRecorders();
    const before = reads;
    const third = await mine.record({ familyId, event: accepted, actor, authority: 'la-1' });
    expect(reads).toBe(before);
    const stored = await store.readStream(familyStreamId(familyId));
    expect(stored.map((e) => e.type)).toEqual([
      'FamilyReferred',
      'InterventionOffered',
      'InterventionAccepted',
    ]);
    expect(third).toMatchObject({ revision: 2, position: stored[2].position.toString() });
  });

  it('appends after what another process wrote, not over it', async () => {
    const { mine, other, familyId } = await twoRecorders();
    await other.record({ familyId, event: accepted, actor });
    const mineNext = await mine.record({ familyId, event: review(1), actor, authority: 'la-1' });
    const stored = await store.readStream(familyStreamId(familyId));
    expect(stored.map((e) => e.type)).toEqual([
      'FamilyReferred',
      'InterventionOffered',
      'InterventionAccepted',
      'ReviewHeld',
    ]);
    expect(mineNext.revision).toBe(3);
  });

  it("answers a retry of another process's event id from the stream, not as a new event", async () => {
    const { mine, other, familyId } = await twoRecorders();
    const eventId = randomUUID();
    const first = await other.record({ familyId, event: accepted, actor, eventId });
    const retry = await mine.record({
      familyId,
      event: accepted,
      actor,
      eventId,
      authority: 'la-1',
    });
    expect(retry).toEqual(first);
    expect(await store.readStream(familyStreamId(familyId))).toHaveLength(3);
  });

  it('takes an expected revision that is current in the stream though not in its copy', async () => {
    const { mine, other, familyId } = await twoRecorders();
    await other.record({ familyId, event: accepted, actor });
    const next = await mine.record({
      familyId,
      event: review(2),
      actor,
      expectedRevision: 2,
      authority: 'la-1',
    });
    expect(next.revision).toBe(3);
  });

  it('follows a transfer another process recorded: the old authority no longer finds the family', async () => {
    const { mine, other, familyId } = await twoRecorders();
    await other.record({
      familyId,
      event: {
        type: 'FamilyTransferred',
        data: {
          occurredAt: '2025-01-20T00:00:00.000Z',
          fromAuthority: 'la-1',
          toAuthority: 'la-2',
        },
      },
      actor,
    });
    await expect(
      mine.record({ familyId, event: accepted, actor, authority: 'la-1' }),
    ).rejects.toBeInstanceOf(FamilyNotFound);
    const byNewAuthority = await mine.record({
      familyId,
      event: accepted,
      actor,
      authority: 'la-2',
    });
    expect(byNewAuthority.revision).toBe(3);
  });
});
