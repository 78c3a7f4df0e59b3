import { FamilyEvent, FamilyEventData, FamilyEventType, FamilyState } from '@app/domain';
import { FamilyFact, FamilyRecord, evolveFamilies, familiesAsAt, familyRecord } from './evolve';

/**
 * The families read model specified like the decider: given a family's events (one batch),
 * when more are applied (the next batch, the state kept between them as the table keeps it, in
 * JSON), then its row is this (only the fields named are compared). Every case also checks that
 * one batch gives the same row, and that the "as at" fold at the last given position gives the
 * row as it stood before the `when` events.
 */
const FAMILY = '0f0f0f0f-0000-4000-8000-000000000001';

const facts = (events: FamilyEvent[], from: number): FamilyFact[] =>
  events.map((event, i) => ({
    familyId: FAMILY,
    event,
    revision: BigInt(from + i),
    position: BigInt(10 * (from + i + 1)),
  }));

const rowOf = (folds: Map<string, { state: FamilyState; revision: bigint; position: bigint }>) => {
  const fold = folds.get(FAMILY);
  return fold && familyRecord(FAMILY, fold);
};

function given(...history: FamilyEvent[]) {
  return {
    when(...events: FamilyEvent[]) {
      const before = facts(history, 0);
      const after = facts(events, history.length);
      const run = () => {
        const first = evolveFamilies(() => undefined, before);
        const kept = JSON.parse(JSON.stringify(rowOf(first)?.state ?? null)) as FamilyState | null;
        return rowOf(evolveFamilies(() => kept ?? undefined, after));
      };
      return {
        then(expected: Partial<FamilyRecord>) {
          const row = run();
          expect(row).toMatchObject(expected);
          expect(rowOf(evolveFamilies(() => undefined, [...before, ...after]))).toEqual(row);
          const asAtLast = familiesAsAt([...before, ...after], BigInt(10 * history.length));
          expect(asAtLast).toEqual(
            history.length ? [rowOf(evolveFamilies(() => undefined, before))] : [],
          );
          expect(
            familiesAsAt([...before, ...after], BigInt(10 * (history.length + events.length))),
          ).toEqual([row]);
        },
        thenFails(message: RegExp) {
          expect(run).toThrow(message);
        },
      };
    },
  };
}

const ev = <T extends FamilyEventType>(type: T, data: FamilyEventData[T]) =>
  ({ type, data }) as FamilyEvent;
const referred = (occurredAt = '2025-01-10T00:00:00.000Z') =>
  ev('FamilyReferred', {
    occurredAt,
    authority: 'derbyshire',
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  });
const offered = ev('InterventionOffered', { occurredAt: '2025-01-20T00:00:00.000Z' });
const accepted = ev('InterventionAccepted', { occurredAt: '2025-01-25T00:00:00.000Z' });
const keyWorker = ev('KeyWorkerAssigned', {
  occurredAt: '2025-01-26T00:00:00.000Z',
  workerId: 'worker-7',
});
const exited = ev('FamilyExited', { occurredAt: '2025-12-01T00:00:00.000Z', exitType: 'planned' });
const transferred = ev('FamilyTransferred', {
  occurredAt: '2025-03-01T00:00:00.000Z',
  fromAuthority: 'derbyshire',
  toAuthority: 'rotherham',
});

describe('families evolve', () => {
  it('a referral makes the row: its authority, programme, first episode, referred', () => {
    given().when(referred()).then({
      family_id: FAMILY,
      authority: 'derbyshire',
      programme: 'fip',
      status: 'referred',
      episode: 1,
      key_worker: null,
      referred_at: '2025-01-10T00:00:00.000Z',
      offered_at: null,
      exited_at: null,
      revision: '0',
      position: '10',
    });
  });

  it('an offer and its acceptance move the current episode on, with their dates', () => {
    given(referred()).when(offered, accepted).then({
      status: 'accepted',
      offered_at: '2025-01-20T00:00:00.000Z',
      accepted_at: '2025-01-25T00:00:00.000Z',
      revision: '2',
      position: '30',
    });
  });

  it('a key worker is the family’s, kept across batches', () => {
    given(referred(), offered, accepted).when(keyWorker).then({ key_worker: 'worker-7' });
  });

  it('an exit closes the episode with its type', () => {
    given(referred(), offered, accepted)
      .when(exited)
      .then({ status: 'exited', exit_type: 'planned', exited_at: '2025-12-01T00:00:00.000Z' });
  });

  it('a re-referral after an exit makes the second episode current', () => {
    given(referred(), offered, accepted, exited).when(referred('2026-01-05T00:00:00.000Z')).then({
      episode: 2,
      status: 'referred',
      referred_at: '2026-01-05T00:00:00.000Z',
      exited_at: null,
    });
  });

  it('a transfer moves the family to its new authority', () => {
    given(referred(), offered)
      .when(transferred)
      .then({ authority: 'rotherham', status: 'offered' });
  });

  it('a stream that does not start with a referral is refused', () => {
    given()
      .when(offered)
      .thenFails(/does not start with FamilyReferred/);
  });
});

describe('families as at a position', () => {
  it('ignores the events after the position, and families not referred by then', () => {
    const other = '0f0f0f0f-0000-4000-8000-000000000002';
    const all = [
      ...facts([referred(), offered, accepted], 0),
      { familyId: other, event: referred(), revision: 0n, position: 25n },
    ];
    expect(familiesAsAt(all, 20n)).toEqual([
      expect.objectContaining({ family_id: FAMILY, status: 'offered', position: '20' }),
    ]);
    expect(familiesAsAt(all, 30n).map((r) => [r.family_id, r.status])).toEqual([
      [FAMILY, 'accepted'],
      [other, 'referred'],
    ]);
  });
});
