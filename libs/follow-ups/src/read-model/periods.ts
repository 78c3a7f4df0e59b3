/**
 * Revisits in a period, as a return counts them: completed (of which on time) and missed in it.
 * The rule is written once, as data (`PERIOD_COUNT`); `countInPeriod` evaluates it over folded
 * revisits and `periodCountsSql` renders it for SQL over the same facts, so the read-model path
 * and the fold path of a return count alike.
 */
import { FamilyEvent } from '@app/domain';
import { foldFollowUps } from './as-at';

/** A revisit's facts for a period's counts (a return's `return_follow_ups` row). */
export interface RevisitFacts {
  family_id: string;
  episode: number;
  completed_at: string | null;
  completed_on_time: boolean | null;
  missed_at: string | null;
}

/** The revisit facts table a return fills (the columns of `RevisitFacts`). */
export const REVISIT_FACTS_COLUMNS = `family_id uuid NOT NULL, episode integer NOT NULL,
  completed_at timestamptz, completed_on_time boolean, missed_at timestamptz`;

/** Instants bounding a period: `from` inclusive, `before` exclusive. */
export interface Period {
  from: string;
  before: string;
}

export interface PeriodCounts {
  completed: number;
  onTime: number;
  missed: number;
}

type Test =
  | { column: 'completed_at' | 'missed_at'; is: 'in-period' }
  | { column: 'completed_at'; is: 'null' }
  | { column: 'completed_on_time'; is: 'true' | 'not-true' };

/** Each count: the revisits passing every test. A missed revisit later completed counts once. */
const PERIOD_COUNT: Readonly<Record<keyof PeriodCounts, readonly Test[]>> = {
  completed: [{ column: 'completed_at', is: 'in-period' }],
  onTime: [
    { column: 'completed_at', is: 'in-period' },
    { column: 'completed_on_time', is: 'true' },
  ],
  missed: [
    { column: 'completed_at', is: 'null' },
    { column: 'missed_at', is: 'in-period' },
  ],
};
const SQL_NAME: Record<keyof PeriodCounts, string> = {
  completed: 'completed',
  onTime: 'on_time',
  missed: 'missed',
};
const COUNTS = Object.keys(PERIOD_COUNT) as (keyof PeriodCounts)[];

const passes = (t: Test, f: RevisitFacts, from: number, before: number) => {
  const v = f[t.column];
  if (t.is === 'null') return v === null;
  if (t.is === 'true') return v === true;
  if (t.is === 'not-true') return v !== true;
  return typeof v === 'string' && Date.parse(v) >= from && Date.parse(v) < before;
};

/** The counts over folded revisits. */
export function countInPeriod(facts: RevisitFacts[], period: Period): PeriodCounts {
  const from = Date.parse(period.from);
  const before = Date.parse(period.before);
  const count = (name: keyof PeriodCounts) =>
    facts.filter((f) => PERIOD_COUNT[name].every((t) => passes(t, f, from, before))).length;
  return { completed: count('completed'), onTime: count('onTime'), missed: count('missed') };
}

const testSql = (t: Test, alias: string, from: string, before: string) => {
  const col = `${alias}.${t.column}`;
  if (t.is === 'null') return `${col} IS NULL`;
  if (t.is === 'true') return col;
  if (t.is === 'not-true') return `${col} IS NOT TRUE`;
  return `(${col} >= ${from} AND ${col} < ${before})`;
};

/** The counts in SQL over revisit facts `alias`: `completed`, `on_time`, `missed` columns. */
export const periodCountsSql = (alias: string, from = '$1', before = '$2') =>
  COUNTS.map(
    (name) =>
      `count(*) FILTER (WHERE ${PERIOD_COUNT[name]
        .map((t) => testSql(t, alias, from, before))
        .join(' AND ')}) AS ${SQL_NAME[name]}`,
  ).join(',\n       ');

/** Reads `periodCountsSql`'s row. */
export const periodCountsOf = (row: Record<string, string | number>): PeriodCounts => ({
  completed: Number(row.completed),
  onTime: Number(row.on_time),
  missed: Number(row.missed),
});

/**
 * The period's finest cells (cell-key perturbation, issue 14): revisits completed in it on time,
 * completed in it late (not on time), and missed in it. No revisit is in two; `completed` is
 * `onTime` + `late`, so a return that publishes these cells and sums them keeps its lines whole.
 */
export interface PeriodCells<C> {
  onTime: C;
  late: C;
  missed: C;
}

/** A cell's count and its records' key: the sum of their record keys modulo 2^32, in units. */
export interface KeyedRevisits {
  count: number;
  key: number;
}

const PERIOD_CELL: Readonly<Record<keyof PeriodCells<unknown>, readonly Test[]>> = {
  onTime: PERIOD_COUNT.onTime,
  late: [
    { column: 'completed_at', is: 'in-period' },
    { column: 'completed_on_time', is: 'not-true' },
  ],
  missed: PERIOD_COUNT.missed,
};
const CELLS = Object.keys(PERIOD_CELL) as (keyof PeriodCells<unknown>)[];
const KEY_UNITS = 2 ** 32;

/** The cells over folded revisits, each keyed by `keyOf` (a revisit is its family episode's). */
export function cellsInPeriod(
  facts: RevisitFacts[],
  period: Period,
  keyOf: (familyId: string, episode: number) => number,
): PeriodCells<KeyedRevisits> {
  const from = Date.parse(period.from);
  const before = Date.parse(period.before);
  const cell = (name: keyof PeriodCells<unknown>): KeyedRevisits => {
    const rows = facts.filter((f) => PERIOD_CELL[name].every((t) => passes(t, f, from, before)));
    const key = rows.reduce((s, f) => (s + keyOf(f.family_id, f.episode)) % KEY_UNITS, 0);
    return { count: rows.length, key };
  };
  return { onTime: cell('onTime'), late: cell('late'), missed: cell('missed') };
}

/**
 * The cells in SQL over revisit facts `alias` with their record keys as `alias.rk`: `on_time`,
 * `late`, `missed` and each one's key sum as `<name>_k`.
 */
export const periodCellsSql = (alias: string, from = '$1', before = '$2') =>
  CELLS.map((name) => {
    const where = `FILTER (WHERE ${PERIOD_CELL[name].map((t) => testSql(t, alias, from, before)).join(' AND ')})`;
    const as = name === 'onTime' ? 'on_time' : name;
    return `count(*) ${where} AS ${as}, coalesce(sum(${alias}.rk) ${where}, 0) % ${KEY_UNITS} AS ${as}_k`;
  }).join(',\n       ');

/** Reads `periodCellsSql`'s row. */
export const periodCellsOf = (row: Record<string, string | number>): PeriodCells<KeyedRevisits> => {
  const cell = (as: string) => ({ count: Number(row[as]), key: Number(row[`${as}_k`]) });
  return { onTime: cell('on_time'), late: cell('late'), missed: cell('missed') };
};

/**
 * SQL: the revisit facts of `follow_ups` that can count in the period ($1, $2), narrowed by
 * `where` (over alias `u`, e.g. the authority and the families settled at a position).
 */
export const revisitFactsInPeriodSql = (where: string) =>
  `SELECT u.family_id, u.episode, u.completed_at, u.completed_on_time, u.missed_at
   FROM follow_ups u
   WHERE ((u.completed_at >= $1 AND u.completed_at < $2) OR (u.missed_at >= $1 AND u.missed_at < $2))
   ${where}`;

/** SQL: the families with a revisit row changed after the position `position` (a parameter). */
export const followUpFamiliesAfterSql = (position: string) =>
  `SELECT family_id FROM follow_ups WHERE position > ${position}`;

/** One family's scheduled revisits from its events (in stream order), by the "as at" fold. */
export const revisitsOf = (familyId: string, events: FamilyEvent[]) =>
  foldFollowUps(events.map((event) => ({ familyId, event, position: '0', recordedAt: '' })))
    .filter((r) => r.status !== 'none')
    .sort((a, b) => a.episode - b.episode);
