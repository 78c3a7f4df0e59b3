import { familyStreamId } from '@app/domain';
import { waitForProjections } from '@app/projections';
import { allProjections } from '@app/read-models';
import { familyStream, GeneratedFamily, Random, toNewEvents } from '@app/workload';
import type { Route } from './differencing';
import type { Harness } from './harness';

/**
 * The differencing test's families and its pairs of queries: a seeded demo authority whose
 * records are entered so that a day's change is one family's, and the two queries (without x,
 * with x) of each kind of pair.
 */

const DAY = 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const shift = (d: string, days: number) => day(Date.parse(d) + days * DAY);

/** Later than every record: the live read models answer, and the answer does not name "now". */
export const AFTER_ALL = '2026-06-01';
const FROM = '2023-01-01';
const TO = '2026-01-01';

export type Kind = 'referred' | 'exited' | 'asAt:new' | 'asAt:exit';
export type Query = Record<string, string>;

/** What the test knows of each family it seeded: its days, and what it went through. */
export interface Seeded {
  referred: string;
  exited?: string;
  /** The days its record was entered, and whether that entry was its exit (and what followed). */
  entries: { day: string; exit: boolean }[];
  started: boolean;
  plannedExit: boolean;
}

/**
 * Appends `count` families of the demo generator (seed `seed`, referred 2023 to 2025) to
 * `authority` and waits until the read models include them.
 */
export async function seedFamilies(
  h: Harness,
  authority: string,
  { seed, count }: { seed: number; count: number },
): Promise<Seeded[]> {
  const families: Seeded[] = [];
  const generated: GeneratedFamily[] = [
    ...familyStream({
      seed,
      families: count,
      authorities: [authority],
      from: `${FROM}T00:00:00.000Z`,
      to: `${TO}T00:00:00.000Z`,
    }),
  ];
  let last = 0n;
  const lane = async () => {
    for (let f = generated.pop(); f; f = generated.pop()) {
      const at = (type: string) => f.events.find((e) => e.event.type === type)?.event.data;
      // A family's record is entered in at most two goes: what came before its exit, on the day
      // of the last of it; then the exit and what followed, on the day of its last event. So
      // between two `asAt` days the records change only by the entries made in between.
      const dates = f.events.map((e) => e.event.data.occurredAt);
      const latest = (ds: string[]) => [...ds].sort()[ds.length - 1];
      const exitAt = f.events.findIndex((e) => e.event.type === 'FamilyExited');
      const lastAt = latest(dates);
      const firstAt = exitAt > 0 ? latest(dates.slice(0, exitAt)) : lastAt;
      const recordedAt = new Map(
        f.events.map((e, k) => [e.event, exitAt > 0 && k < exitAt ? firstAt : lastAt]),
      );
      const exit = at('FamilyExited') as { occurredAt: string; exitType: string } | undefined;
      families.push({
        referred: at('FamilyReferred')!.occurredAt.slice(0, 10),
        exited: exit?.occurredAt.slice(0, 10),
        entries: [
          { day: firstAt.slice(0, 10), exit: false },
          ...(exitAt > 0 ? [{ day: lastAt.slice(0, 10), exit: true }] : []),
        ],
        started: at('InterventionAccepted') !== undefined,
        plannedExit: exit?.exitType === 'planned',
      });
      const r = await h.store.append(
        familyStreamId(f.familyId),
        toNewEvents(f, (event) => recordedAt.get(event)!),
        { expectedRevision: 'no_stream' },
      );
      if (r.position > last) last = r.position;
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  await waitForProjections(
    h.db,
    allProjections().map((p) => p.name),
    last,
    60_000,
  );
  return families;
}

/** Who a route's flag can be read for: x must be in the route's cohort. */
const member: Record<Route, (f: Seeded) => boolean> = {
  outcomes: (f) => f.started,
  summary: () => true,
  savings: (f) => f.plannedExit,
};

/** Something that happened to one family on one day. */
interface Happening {
  day: string;
  family: Seeded;
  exit?: boolean;
}
const referrals = (families: Seeded[]) => families.map((f) => ({ day: f.referred, family: f }));
const exits = (families: Seeded[]) =>
  families.filter((f) => f.exited).map((f) => ({ day: f.exited!, family: f }));
const entries = (families: Seeded[]) =>
  families.flatMap((f) => f.entries.map((e) => ({ day: e.day, family: f, exit: e.exit })));

/** The happenings alone on their day (no other family's that day) that `keep` takes. */
function onlyOne(happenings: Happening[], keep: (x: Happening) => boolean): Happening[] {
  const byDay = new Map<string, Happening[]>();
  for (const x of happenings) byDay.set(x.day, [...(byDay.get(x.day) ?? []), x]);
  return [...byDay.entries()]
    .filter(([d, xs]) => xs.length === 1 && keep(xs[0]) && d >= '2023-09-01' && d < '2025-12-30')
    .map(([, [x]]) => x)
    .sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * Two queries (without x, with x) of one kind, drawn by `r`, for a family of `route`'s cohort,
 * and by how many families their populations differ.
 */
export function pairOf(
  families: Seeded[],
  authority: string,
  kind: Kind,
  route: Route,
  r: Random,
): [Query, Query, number] {
  const base = { authority };
  const back = (d: string) => {
    const from = shift(d, -(150 + r.int(450)));
    return from < FROM ? FROM : from;
  };
  const alone = (happenings: Happening[], keep: (y: Happening) => boolean) =>
    r.pick(onlyOne(happenings, keep));
  if (kind === 'referred') {
    const { day: d } = alone(referrals(families), (y) => member[route](y.family));
    const w = { ...base, referredFrom: back(d), asAt: AFTER_ALL };
    return [{ ...w, referredTo: shift(d, -1) }, { ...w, referredTo: d }, 1];
  }
  if (kind === 'exited') {
    const { day: d } = alone(exits(families), (y) => member[route](y.family));
    const w = { ...base, exitedFrom: back(d), asAt: AFTER_ALL };
    return [{ ...w, exitedTo: shift(d, -1) }, { ...w, exitedTo: d }, 1];
  }
  // An entry on day d: as at d it is not in the records, as at d + 1 it is. Either x is new (its
  // record up to any exit), or x's planned exit (or, on the summary, any exit) is entered and x
  // was in the population before. A referral window opening before x's referral varies the
  // population from pair to pair.
  const exit = kind === 'asAt:exit';
  const { day: d, family } = alone(entries(families), (y) =>
    exit
      ? y.exit === true && (route === 'summary' || y.family.plannedExit)
      : y.exit === false && route !== 'savings' && member[route](y.family),
  );
  const w = { ...base, referredFrom: back(family.referred) };
  return [{ ...w, asAt: d }, { ...w, asAt: shift(d, 1) }, exit ? 0 : 1];
}
