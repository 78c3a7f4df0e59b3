/**
 * The statistics of the before/after table: Wilson score intervals and the exact McNemar test (the
 * paired change is in paired-change.ts, the relative reduction in table.ts).
 */

/** Two-sided 95% normal quantile. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval for `count` of `n` (as proportions, 0–1). With no families there is no
 * information: [0, 0] here, and the outputs report no data instead (`proportion` in table.ts).
 */
export function wilson(count: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 0];
  const p = count / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Exact two-sided McNemar test: with `b` and `c` the discordant pairs (changed one way or the
 * other), under no change each is Binomial(b + c, 1/2); p = min(1, 2 · P(X ≤ min(b, c))).
 * Summed in log space, so large cohorts do not underflow to 0 before the end.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // log of C(n, i) · 2^-n, built up term by term: C(n, i+1) = C(n, i) · (n - i) / (i + 1).
  let logTerm = -n * Math.LN2;
  let logSum = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log(n - i) - Math.log(i + 1);
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
  }
  return Math.min(1, 2 * Math.exp(logSum));
}
