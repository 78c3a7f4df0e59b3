/**
 * The programme cost set against a cohort's savings: what the authority entered per financial
 * year, pro-rated by days to the window the cohort was chosen by (a quarter's exits meet a
 * quarter's cost, never the year's), and only over a window with a start and an end.
 */
import { Queryable } from '@app/projections';
import { CohortFilter } from '@app/outcomes';
import { ProgrammeCostInput } from './figures';
import { formatPence, roundDiv } from './money';

const DAY = 86_400_000;

/** The financial year (April to March) an instant falls in, named by the year it starts. */
export function financialYear(instant: string): number {
  const d = new Date(instant);
  return d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}

/** Day numbers (days since 1970-01-01, UTC) of financial year `year`: [start, end). */
const yearDays = (year: number): [number, number] => [
  Date.UTC(year, 3, 1) / DAY,
  Date.UTC(year + 1, 3, 1) / DAY,
];
const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** A cohort's date window: `from` inclusive, `before` exclusive (instants). */
export interface CostWindow {
  /** Which dates chose the cohort. */
  kind: 'exits' | 'referrals';
  from: string;
  before: string;
}

export interface ProratedYear {
  year: number;
  /** What was entered for the whole financial year; null when nothing was. */
  entered: string | null;
  daysInYear: number;
  /** Days of the window that fall in the year. */
  days: number;
  /** entered × days / daysInYear, to the penny; null when nothing was entered. */
  share: string | null;
}

/**
 * Pro-rates yearly costs to the window by days: each financial year the window touches
 * contributes its cost × (the window's days in it) / (its days), rounded to the penny; the
 * amount is the sum of the shares, or null when a year of the window has no cost entered.
 */
export function prorateProgrammeCost(
  entered: Map<number, bigint>,
  window: { from: string; before: string },
): { pence: bigint | null; days: number; years: ProratedYear[]; missingYears: number[] } {
  const from = Math.floor(Date.parse(window.from) / DAY);
  const before = Math.ceil(Date.parse(window.before) / DAY);
  const years: ProratedYear[] = [];
  const shares: bigint[] = [];
  for (let y = financialYear(window.from); before > from && y <= lastYear(window.before); y++) {
    const [start, end] = yearDays(y);
    const days = Math.min(before, end) - Math.max(from, start);
    const cost = entered.get(y);
    const share = cost === undefined ? null : roundDiv(cost * BigInt(days), BigInt(end - start));
    if (share !== null) shares.push(share);
    years.push({
      year: y,
      entered: cost === undefined ? null : formatPence(cost),
      daysInYear: end - start,
      days,
      share: share === null ? null : formatPence(share),
    });
  }
  const missingYears = years.filter((y) => y.entered === null).map((y) => y.year);
  return {
    pence: missingYears.length || !years.length ? null : shares.reduce((s, v) => s + v, 0n),
    days: Math.max(0, before - from),
    years,
    missingYears,
  };
}

const lastYear = (before: string) => financialYear(new Date(Date.parse(before) - 1).toISOString());

/** The window a filter chose its cohort by: exits if given, else referrals; null without one. */
export function costWindow(filter: CohortFilter): CostWindow | { open: string } | null {
  const exits = filter.exitedFrom !== undefined || filter.exitedBefore !== undefined;
  const [kind, from, before] = exits
    ? (['exits', filter.exitedFrom, filter.exitedBefore] as const)
    : (['referrals', filter.referredFrom, filter.referredBefore] as const);
  if (from === undefined && before === undefined) return null;
  if (from === undefined || before === undefined) {
    return { open: `the ${kind} window has ${from === undefined ? 'no start' : 'no end'}` };
  }
  return { kind, from, before };
}

export const NO_WINDOW =
  'No return on spend without a date window: savings over every year on record would meet a ' +
  'cost for some other span. Ask with exitedFrom and exitedTo (or referredFrom and referredTo).';

/**
 * The programme cost set against a cohort: the authority's entries (for the programme, or every
 * programme) pro-rated to the cohort's window by days. Without an authority there is none
 * (costs are per authority); without a closed window, or with a year of it not entered, the
 * amount is null and `reason` says why.
 */
export async function programmeCostFor(
  db: Queryable,
  filter: CohortFilter,
): Promise<ProgrammeCostInput | undefined> {
  if (!filter.authority) return undefined;
  const basis = { authority: filter.authority, programme: filter.programme ?? 'all' };
  const window = costWindow(filter);
  if (window === null || 'open' in window) {
    const reason = window === null ? NO_WINDOW : `No return on spend: ${window.open}.`;
    return { pence: null, basis: { ...basis, window: null, reason } };
  }
  const params: unknown[] = [filter.authority];
  let programme = '';
  if (filter.programme) {
    params.push(filter.programme);
    programme = `AND programme = $${params.length}`;
  }
  const rows = (await db.query(
    `SELECT year, sum(cost_pence)::text AS pence FROM programme_costs
     WHERE authority = $1 ${programme} GROUP BY year ORDER BY year`,
    params,
  )) as { year: number; pence: string }[];
  const p = prorateProgrammeCost(new Map(rows.map((r) => [r.year, BigInt(r.pence)])), window);
  const from = Math.floor(Date.parse(window.from) / DAY);
  return {
    pence: p.pence,
    basis: {
      ...basis,
      window: {
        kind: window.kind,
        from: isoDay(from),
        to: isoDay(from + p.days - 1),
        days: p.days,
      },
      proRated: 'by days: each financial year’s cost × the window’s days in it / its days',
      financialYears: p.years,
      ...(p.missingYears.length
        ? {
            missingYears: p.missingYears,
            reason: `No return on spend: no programme cost entered for financial year ${p.missingYears.join(', ')}.`,
          }
        : {}),
    },
  };
}

/** In words: the window the programme cost was pro-rated to, or why there is none. */
export function programmeCostText(cost: { amount: string | null } | undefined): string {
  const c = cost as
    | undefined
    | {
        amount: string | null;
        reason?: string;
        window?: { kind: string; from: string; to: string; days: number } | null;
        financialYears?: {
          year: number;
          entered: string | null;
          days: number;
          daysInYear: number;
        }[];
      };
  if (!c) return 'No programme cost: costs are entered per authority (a national return has none).';
  if (c.amount === null || !c.window) return c.reason ?? 'No programme cost for the period.';
  const years = (c.financialYears ?? [])
    .map(
      (y) =>
        `financial year ${y.year}-${String(y.year + 1).slice(2)} £${y.entered} × ${y.days}/${y.daysInYear} days`,
    )
    .join(' + ');
  return `Programme cost for ${c.window.kind} from ${c.window.from} to ${c.window.to} (${c.window.days} days), pro-rated by days: ${years}.`;
}
