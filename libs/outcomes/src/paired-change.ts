/**
 * Paired change for one outcome domain (issue 15, item 1): the same families at baseline and at exit,
 * the change in percentage points with Newcombe's hybrid-score interval for paired proportions, the
 * exact McNemar p, and the direction of the change as data (improved / worsened / no change).
 *
 * Pure: no I/O, no configuration. Values keep full precision; the `format*` helpers decide how they
 * are shown (one decimal place for percentages and points, `< 0.001` for small p).
 */
import { mcnemarExact, wilson } from './statistics';

/** The four cells of the paired 2×2 table for one domain (each family counted once). */
export interface PairedCounts {
  /** Flag present at baseline and at exit. */
  both: number;
  /** Flag present at baseline, resolved by exit. */
  baselineOnly: number;
  /** Flag absent at baseline, present at exit. */
  exitOnly: number;
  /** Flag absent at both. */
  neither: number;
}

/** Which way is good for a domain: e.g. ASB involvement `lower`, school attendance `higher`. */
export type BetterWhen = 'lower' | 'higher';

export type ChangeDirection = 'improved' | 'worsened' | 'no_change';

/**
 * Below this many families a domain's result carries `smallSample: true`. Why 30: it is the usual
 * rule of thumb for leaning on a normal approximation to a proportion, which the score intervals
 * here still are; below it one family moves a percentage by more than 3.3 points, so the
 * one-decimal figures suggest far more precision than the data hold. It is deliberately well above
 * the disclosure threshold (5), which protects families, not inference.
 */
export const SMALL_SAMPLE_N = 30;

/** p-values below this are shown as `< 0.001` (never `0.000`). */
export const P_DISPLAY_FLOOR = 0.001;

export interface PairedChangeResult {
  status: 'ok';
  n: number;
  counts: PairedCounts;
  /** Families flagged at baseline (both + baselineOnly) and at exit (both + exitOnly). */
  baselineCount: number;
  exitCount: number;
  /** Percentages, 0–100, full precision. */
  baselinePercent: number;
  exitPercent: number;
  /** exit − baseline, in percentage points, full precision (negative = fewer families flagged). */
  changePoints: number;
  /** Newcombe (1998) method 10 95% interval for `changePoints`, in percentage points. */
  changeCi95Points: { lower: number; upper: number };
  /** Exact two-sided McNemar p on the discordant pairs (baselineOnly vs exitOnly). */
  mcnemarP: number;
  /** The p-value as it is shown: `< 0.001` or three decimals. */
  mcnemarPDisplay: string;
  smallSample: boolean;
  smallSampleThreshold: number;
  betterWhen: BetterWhen;
  direction: ChangeDirection;
  /** |changePoints|: the size of the improvement or worsening, never signed. */
  magnitudePoints: number;
}

export interface PairedChangeNoData {
  status: 'no_data';
  n: 0;
  counts: PairedCounts;
  baselineCount: null;
  exitCount: null;
  baselinePercent: null;
  exitPercent: null;
  changePoints: null;
  changeCi95Points: null;
  mcnemarP: null;
  mcnemarPDisplay: null;
  smallSample: true;
  smallSampleThreshold: number;
  betterWhen: BetterWhen;
  direction: null;
  magnitudePoints: null;
}

export type PairedChange = PairedChangeResult | PairedChangeNoData;

/**
 * Newcombe (1998), Statistics in Medicine 17:2635–2650, method 10: the hybrid score interval for the
 * difference θ = p1 − p2 of two paired proportions. With a = both positive, b = first only,
 * c = second only, d = both negative: p1 = (a + b)/n, p2 = (a + c)/n; (l1, u1) and (l2, u2) are the
 * Wilson score limits of p1 and p2, and
 *   L = θ − √((p1 − l1)² − 2φ(p1 − l1)(u2 − p2) + (u2 − p2)²)
 *   U = θ + √((p2 − l2)² − 2φ(p2 − l2)(u1 − p1) + (u1 − p1)²)
 * where φ estimates the correlation of the two classifications: φ = 0 when any margin is 0;
 * otherwise, with A = ad − bc, φ = (A − n/2)/√(efgh) when A > n/2, 0 when 0 ≤ A ≤ n/2, and A/√(efgh)
 * when A < 0 (e, f, g, h the four margins) — the paper's continuity-corrected φ for positive A.
 * Returned as proportions (−1 to 1). Requires n > 0.
 */
export function newcombePairedInterval(
  a: number,
  b: number,
  c: number,
  d: number,
): { estimate: number; lower: number; upper: number } {
  const n = a + b + c + d;
  if (n <= 0) throw new Error('newcombePairedInterval needs at least one pair');
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const [l1, u1] = wilson(a + b, n);
  const [l2, u2] = wilson(a + c, n);
  const margins = [a + b, c + d, a + c, b + d];
  let phi = 0;
  if (margins.every((m) => m > 0)) {
    const A = a * d - b * c;
    const root = Math.sqrt(margins.reduce((x, m) => x * m, 1));
    if (A > n / 2) phi = (A - n / 2) / root;
    else if (A < 0) phi = A / root;
  }
  const estimate = p1 - p2;
  const down = Math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2);
  const up = Math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2);
  return { estimate, lower: Math.max(-1, estimate - down), upper: Math.min(1, estimate + up) };
}

function assertCounts(counts: PairedCounts): void {
  for (const key of ['both', 'baselineOnly', 'exitOnly', 'neither'] as const) {
    const v = counts[key];
    if (!Number.isInteger(v) || v < 0) {
      throw new Error(`paired count ${key} must be a whole number, at least 0 (got ${v})`);
    }
  }
}

/**
 * Direction as data. `no_change` when the change is 0 to the one decimal place it is shown at, so
 * "improved by 0.0 points" is never said; otherwise improved when the change went the good way.
 */
export function changeDirection(changePoints: number, betterWhen: BetterWhen): ChangeDirection {
  if (formatOneDecimal(Math.abs(changePoints)) === '0.0') return 'no_change';
  const fell = changePoints < 0;
  return fell === (betterWhen === 'lower') ? 'improved' : 'worsened';
}

/** The paired change for one domain. */
export function pairedChange(counts: PairedCounts, betterWhen: BetterWhen): PairedChange {
  assertCounts(counts);
  const { both, baselineOnly, exitOnly, neither } = counts;
  const n = both + baselineOnly + exitOnly + neither;
  if (n === 0) {
    return {
      status: 'no_data',
      n: 0,
      counts: { ...counts },
      baselineCount: null,
      exitCount: null,
      baselinePercent: null,
      exitPercent: null,
      changePoints: null,
      changeCi95Points: null,
      mcnemarP: null,
      mcnemarPDisplay: null,
      smallSample: true,
      smallSampleThreshold: SMALL_SAMPLE_N,
      betterWhen,
      direction: null,
      magnitudePoints: null,
    };
  }
  const baselineCount = both + baselineOnly;
  const exitCount = both + exitOnly;
  // Exit as the first classification, so the interval is for exit − baseline directly.
  const ci = newcombePairedInterval(both, exitOnly, baselineOnly, neither);
  const changePoints = 100 * ci.estimate;
  const p = mcnemarExact(baselineOnly, exitOnly);
  return {
    status: 'ok',
    n,
    counts: { ...counts },
    baselineCount,
    exitCount,
    baselinePercent: (100 * baselineCount) / n,
    exitPercent: (100 * exitCount) / n,
    changePoints,
    changeCi95Points: { lower: 100 * ci.lower, upper: 100 * ci.upper },
    mcnemarP: p,
    mcnemarPDisplay: formatPValue(p),
    smallSample: n < SMALL_SAMPLE_N,
    smallSampleThreshold: SMALL_SAMPLE_N,
    betterWhen,
    direction: changeDirection(changePoints, betterWhen),
    magnitudePoints: Math.abs(changePoints),
  };
}

/**
 * One decimal place, rounding half away from zero on the decimal value (so 0.05 → "0.1" and
 * −0.05 → "-0.1", where `toFixed` would round the binary value), and never "-0.0".
 */
export function formatOneDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot format ${value}`);
  // Correct the binary representation first (e.g. 1.45 is stored as 1.4499999…).
  const tenths = Math.round(Math.abs(Number((value * 10).toPrecision(12))));
  if (tenths === 0) return '0.0';
  const text = `${Math.floor(tenths / 10)}.${tenths % 10}`;
  return value < 0 ? `-${text}` : text;
}

/**
 * A percentage or a change in points as every output carries it, JSON included: one decimal
 * place, rounded as `formatOneDecimal` rounds (so the number and the text never disagree).
 */
export const oneDecimal = (value: number): number => Number(formatOneDecimal(value));

/** A p-value as shown: `< 0.001` below 0.001, otherwise three decimal places. */
export function formatPValue(p: number): string {
  if (!(p >= 0 && p <= 1)) throw new Error(`a p-value lies in [0, 1] (got ${p})`);
  return p < P_DISPLAY_FLOOR ? '< 0.001' : p.toFixed(3);
}

/**
 * The sentence a reader sees, built from the data so the sign and the word cannot disagree:
 * "improved by 39.0 points (95% CI 32.8 to 44.8)", "worsened by 2.1 points (…)", "no change (…)",
 * or "no data". The interval is given for the improvement (or worsening) itself, so its limits
 * read the same way as the magnitude.
 */
export function describePairedChange(change: PairedChange): string {
  if (change.status === 'no_data') return 'no data';
  const { lower, upper } = change.changeCi95Points;
  // Flip the interval when the magnitude is the negative of the change.
  const [lo, hi] = change.changePoints < 0 ? [-upper, -lower] : [lower, upper];
  const ci = `95% CI ${formatOneDecimal(lo)} to ${formatOneDecimal(hi)}`;
  const small = change.smallSample ? `; small sample, n = ${change.n}` : '';
  if (change.direction === 'no_change') {
    return `no change (change ${formatOneDecimal(change.changePoints)} points, 95% CI ${formatOneDecimal(lower)} to ${formatOneDecimal(upper)}${small})`;
  }
  return `${change.direction} by ${formatOneDecimal(change.magnitudePoints)} points (${ci}${small})`;
}
