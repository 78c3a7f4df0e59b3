/**
 * The before/after table, from per-domain counts over a cohort's family episodes: per domain the
 * paired 2×2 table, the change in percentage points with its interval and direction, and the
 * one-year-on panel (the same families at baseline, the end point and one year on).
 *
 * One unit convention: every percentage, interval limit and change in points is a percentage (or
 * percentage points) rounded to one decimal place (`oneDecimal`), in the JSON as in the text.
 */
import { OutcomeDomain } from './definitions';
import {
  BetterWhen,
  ChangeDirection,
  SMALL_SAMPLE_N,
  describePairedChange,
  oneDecimal,
  pairedChange,
} from './paired-change';
import { wilson } from './statistics';

/** Counts for one domain over the cohort (what the read model's query returns). */
export interface DomainCounts {
  /** Families with the domain assessed at both baseline and the end point. */
  n: number;
  baseline: number;
  end: number;
  /** Discordant pairs: present at baseline but not at the end, and the reverse. */
  presentToAbsent: number;
  absentToPresent: number;
  /** Of the n, families also assessed at follow-up (the panel), and how many had the condition then. */
  followUpN: number;
  followUp: number;
  /** Improved at the end point and in the panel; of those, still improved one year on. */
  improvedFollowedUp: number;
  kept: number;
  /** Present at baseline and at the end point. */
  both: number;
  /** Of the panel, present at baseline; present at the end point. */
  followUpBaseline: number;
  followUpEnd: number;
  /** Of the panel, present at baseline and one year on. */
  followUpBoth: number;
}

/** A count of n families, its percentage and Wilson 95% interval (percent, one decimal place). */
export interface Proportion {
  count: number;
  /** Null when n = 0: no data, not 0%. */
  pct: number | null;
  ci95: [number, number] | null;
}

/** Baseline to the end point over the same families: the paired table and what follows from it. */
export interface PairedChangeRow {
  /** The paired 2×2 table: each of the n families in exactly one of the four. */
  both: number;
  baselineOnly: number;
  exitOnly: number;
  neither: number;
  /** exit − baseline, in percentage points (negative: fewer families with the condition). */
  changePoints: number | null;
  /** Newcombe (1998) hybrid score 95% interval of `changePoints`, in percentage points. */
  ci95Points: [number, number] | null;
  /** Whether the change went the domain's good way (`lowerIsBetter`); null with no data. */
  direction: ChangeDirection | null;
  /** As a reader sees it: "improved by 39.0 points (95% CI 32.8 to 44.8)", or "no data". */
  text: string;
  /** Exact two-sided McNemar p on the discordant pairs, three significant figures. */
  mcnemarP: number | null;
  /** The p as shown: `< 0.001` below 0.001, otherwise three decimal places. */
  mcnemarPText: string | null;
}

/**
 * Baseline to one year on over the panel: `PairedChangeRow` with the later point's cell named for
 * it (`oneYearOnOnly`: absent at baseline, present one year on).
 */
export type PanelChangeRow = Omit<PairedChangeRow, 'exitOnly'> & { oneYearOnOnly: number };

/**
 * One year on, on the same families: those of the n assessed one year on as well, with their own
 * baseline, end point and one-year-on figures, so the three columns compare one group.
 */
export interface OneYearOnPanel {
  n: number;
  smallSample: boolean;
  baseline: Proportion;
  exit: Proportion;
  oneYearOn: Proportion;
  /** The change from baseline to one year on, over the panel. */
  change: PanelChangeRow;
  /** Of the panel, improved at the end point; of those, still improved one year on. */
  sustained: { improvedAtExit: number; kept: number; pct: number | null };
}

export interface DomainRow {
  id: string;
  label: string;
  /** From the domain's definition: whether fewer families with the condition is the good way. */
  lowerIsBetter: boolean;
  /** `no_data` when no family was assessed on the domain at both points (n = 0). */
  status: 'ok' | 'no_data';
  n: number;
  /** Fewer than `smallSampleBelow` families: the figures are too imprecise to lean on. */
  smallSample: boolean;
  smallSampleBelow: number;
  baseline: Proportion;
  exit: Proportion;
  change: PairedChangeRow;
  /**
   * (baseline − exit) / baseline in percent, one decimal place: only where lower is better and the
   * condition fell, the one case where "reduction" reads truthfully; otherwise null.
   */
  relativeReductionPct: number | null;
  /** Null when no family of the n has been assessed on the domain one year on. */
  oneYearOn: OneYearOnPanel | null;
}

/** `count` of `n` as a percentage with its Wilson interval, one decimal place; nulls when n = 0. */
export function proportion(count: number, n: number): Proportion {
  if (n === 0) return { count, pct: null, ci95: null };
  const [lo, hi] = wilson(count, n);
  return {
    count,
    pct: oneDecimal((100 * count) / n),
    ci95: [oneDecimal(100 * lo), oneDecimal(100 * hi)],
  };
}

const betterWhen = (domain: OutcomeDomain): BetterWhen =>
  domain.lowerIsBetter ? 'lower' : 'higher';

/** The paired change of one domain's 2×2 table, rounded as the outputs carry it. */
export function changeRow(
  counts: { both: number; baselineOnly: number; exitOnly: number; neither: number },
  better: BetterWhen,
): PairedChangeRow {
  const c = pairedChange(counts, better);
  const ok = c.status === 'ok';
  return {
    ...c.counts,
    changePoints: ok ? oneDecimal(c.changePoints) : null,
    ci95Points: ok
      ? [oneDecimal(c.changeCi95Points.lower), oneDecimal(c.changeCi95Points.upper)]
      : null,
    direction: c.direction,
    text: describePairedChange(c),
    mcnemarP: ok ? Number(c.mcnemarP.toPrecision(3)) : null,
    mcnemarPText: c.mcnemarPDisplay,
  };
}

/** (baseline − exit) / baseline in percent, where it reads truthfully (see `DomainRow`). */
export function relativeReductionPct(
  lowerIsBetter: boolean,
  baseline: number,
  exit: number,
): number | null {
  if (!lowerIsBetter || baseline === 0 || exit >= baseline) return null;
  return oneDecimal((100 * (baseline - exit)) / baseline);
}

/** The panel's paired table, baseline against one year on, and its change. */
function panelChange(c: DomainCounts, better: BetterWhen): PanelChangeRow {
  const baselineOnly = c.followUpBaseline - c.followUpBoth;
  const oneYearOnOnly = c.followUp - c.followUpBoth;
  const { exitOnly, ...row } = changeRow(
    {
      both: c.followUpBoth,
      baselineOnly,
      exitOnly: oneYearOnOnly,
      neither: c.followUpN - c.followUpBoth - baselineOnly - oneYearOnOnly,
    },
    better,
  );
  return { ...row, oneYearOnOnly: exitOnly };
}

export function domainRow(domain: OutcomeDomain, c: DomainCounts): DomainRow {
  const baselineOnly = c.presentToAbsent;
  const exitOnly = c.absentToPresent;
  const panel = c.followUpN;
  return {
    id: domain.id,
    label: domain.label,
    lowerIsBetter: domain.lowerIsBetter,
    status: c.n === 0 ? 'no_data' : 'ok',
    n: c.n,
    smallSample: c.n < SMALL_SAMPLE_N,
    smallSampleBelow: SMALL_SAMPLE_N,
    baseline: proportion(c.baseline, c.n),
    exit: proportion(c.end, c.n),
    change: changeRow(
      { both: c.both, baselineOnly, exitOnly, neither: c.n - c.both - baselineOnly - exitOnly },
      betterWhen(domain),
    ),
    relativeReductionPct: relativeReductionPct(domain.lowerIsBetter, c.baseline, c.end),
    oneYearOn: panel
      ? {
          n: panel,
          smallSample: panel < SMALL_SAMPLE_N,
          baseline: proportion(c.followUpBaseline, panel),
          exit: proportion(c.followUpEnd, panel),
          oneYearOn: proportion(c.followUp, panel),
          change: panelChange(c, betterWhen(domain)),
          sustained: {
            improvedAtExit: c.improvedFollowedUp,
            kept: c.kept,
            pct: c.improvedFollowedUp ? oneDecimal((100 * c.kept) / c.improvedFollowedUp) : null,
          },
        }
      : null,
  };
}
