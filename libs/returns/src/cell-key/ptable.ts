/**
 * The perturbation table (ptable) of cell-key perturbation, as data, and the lookup that applies it.
 *
 * A ptable maps a true count i and a cell key in [0, 1) to a published count j. Row i is a
 * probability distribution over j; its cumulative probabilities cut [0, 1) into intervals, one per
 * j, and the cell key picks the interval it falls in (ABS TableBuilder convention; the `ptable` /
 * `cellKey` R packages of Statistik Austria and Destatis lay the table out the same way: i, j,
 * p, cumulative bounds). Rows from `stationaryFrom` up are all the same distribution of the
 * perturbation j − i, so the table is finite.
 *
 * Parameters (the `ptable` package's names in brackets):
 *  - maxPerturbation [D]: |j − i| ≤ D;
 *  - variance [V]: the variance of j − i in the rows that can reach it;
 *  - blockedUpTo [js]: no published count in 1..js (true counts 1..js go to 0 or above js);
 *  - zeros are not perturbed (row 0 is 0 → 0 with probability 1): an empty cell stays empty.
 *
 * Method (generatePtable): for each row, the maximum-entropy distribution on the allowed j (within
 * D of i, 0 or above js) with mean perturbation 0 and variance V — the maximum-entropy approach of
 * the `ptable` package (Giessing & Tent; Enderle, Giessing & Tent 2018, "Designing confidentiality
 * on the fly", PSD 2018). Its solution is p(d) ∝ exp(λ1·d + λ2·d²), a discretised normal, found by
 * Newton's method on the convex dual. Where no distribution on the allowed j has both mean 0 and
 * variance V (true counts 1..js, whose only way down is to 0), the row is the unbiased distribution
 * with the least variance the blocking allows: mass on 0 and js + 1 only. Every row is unbiased;
 * only the variance of those small rows differs from V (the test lists them).
 *
 * Probabilities are stored as whole-number weights out of 2^32 (the same scale as the keys), so a
 * row sums to exactly 1 and the lookup is exact integer comparison: the same (count, key) gives the
 * same published count on every machine.
 */
import { KEY_SCALE } from './record-key';

export interface PtableParams {
  /** D: the largest |perturbation|. */
  maxPerturbation: number;
  /** V: the target variance of the perturbation. */
  variance: number;
  /** js: no published count in 1..js. */
  blockedUpTo: number;
}

export interface PtableTransition {
  /** The published count j. */
  perturbed: number;
  /** P(j | i) × 2^32, a whole number; a row's weights sum to 2^32. */
  weight: number;
}

export interface PtableRow {
  /** The true count i. */
  count: number;
  /** In increasing order of `perturbed`; the cumulative weights are the lookup intervals. */
  transitions: readonly PtableTransition[];
}

export interface Ptable {
  /** Name and version, for disclosure notes and provenance, e.g. `outcomes-ledger-ptable@1`. */
  id: string;
  name: string;
  version: number;
  params: Readonly<PtableParams>;
  /** How the rows were made (one sentence, for the disclosure note). */
  method: string;
  /** Rows for i = 0..stationaryFrom; row `stationaryFrom` holds for every larger i, shifted. */
  stationaryFrom: number;
  rows: readonly PtableRow[];
}

/** The first row whose allowed range is the full i−D..i+D: every row from here is the same. */
export const stationaryRow = (p: PtableParams): number => p.blockedUpTo + p.maxPerturbation + 1;

function checkParams(p: PtableParams): void {
  if (!Number.isInteger(p.maxPerturbation) || p.maxPerturbation < 1) {
    throw new Error('ptable maxPerturbation (D) must be a whole number, at least 1');
  }
  if (!Number.isInteger(p.blockedUpTo) || p.blockedUpTo < 0) {
    throw new Error('ptable blockedUpTo (js) must be a whole number, at least 0');
  }
  if (p.maxPerturbation <= p.blockedUpTo) {
    // Row js + 1 could then never go below itself and could not be unbiased.
    throw new Error('ptable maxPerturbation (D) must exceed blockedUpTo (js)');
  }
  const dMax = p.maxPerturbation;
  if (!(p.variance > 0 && p.variance < dMax * dMax)) {
    throw new Error('ptable variance (V) must be positive and below D²');
  }
}

/** The perturbations d = j − i allowed in row i. */
function allowedPerturbations(i: number, p: PtableParams): number[] {
  const out: number[] = [];
  for (let j = Math.max(0, i - p.maxPerturbation); j <= i + p.maxPerturbation; j++) {
    if (j === 0 || j > p.blockedUpTo) out.push(j - i);
  }
  return out;
}

/** p(d) ∝ exp(a·d + b·d²), normalised (shifted in the exponent so it cannot overflow). */
function expFamily(ds: number[], a: number, b: number): number[] {
  const e = ds.map((d) => a * d + b * d * d);
  const top = Math.max(...e);
  const w = e.map((x) => Math.exp(x - top));
  const z = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / z);
}

const moments = (ds: number[], ps: number[]) => {
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  ds.forEach((d, k) => {
    m1 += ps[k] * d;
    m2 += ps[k] * d * d;
    m3 += ps[k] * d ** 3;
    m4 += ps[k] * d ** 4;
  });
  return { m1, m2, m3, m4 };
};

/**
 * Whether some distribution on `ds` with mean 0 has variance V strictly inside the achievable range.
 * The mean-0 distributions are mixtures of the point mass at 0 (if allowed) and two-point ones on
 * a < 0 < b, of variance −a·b, so the range runs from 0 (or the nearest pair around 0) to the
 * outermost pair.
 */
function unbiasedVarianceRange(ds: number[], V: number): boolean {
  const neg = ds.filter((d) => d < 0);
  const pos = ds.filter((d) => d > 0);
  if (!neg.length || !pos.length) return false;
  // Mass on d = 0 adds to neither moment, so with 0 allowed any variance down to 0 is reachable.
  const least = ds.includes(0) ? 0 : -Math.max(...neg) * Math.min(...pos);
  const most = -Math.min(...neg) * Math.max(...pos);
  return V > least && V < most;
}

/** Maximum entropy with E[d] = 0 and E[d²] = V (which must be feasible); null if Newton fails. */
function maxEntropyMeanVariance(ds: number[], V: number): number[] | null {
  let a = 0;
  let b = 0;
  const dual = (x: number, y: number) => {
    const e = ds.map((d) => x * d + y * d * d);
    const top = Math.max(...e);
    return top + Math.log(e.reduce((s, v) => s + Math.exp(v - top), 0)) - y * V;
  };
  for (let iter = 0; iter < 500; iter++) {
    const ps = expFamily(ds, a, b);
    const { m1, m2, m3, m4 } = moments(ds, ps);
    const g1 = m1;
    const g2 = m2 - V;
    if (Math.abs(g1) < 1e-13 && Math.abs(g2) < 1e-12) return ps;
    // Hessian of the dual: the covariance of (d, d²).
    const h11 = m2 - m1 * m1;
    const h12 = m3 - m1 * m2;
    const h22 = m4 - m2 * m2;
    const det = h11 * h22 - h12 * h12;
    if (!(det > 1e-300)) return null;
    const s1 = -(h22 * g1 - h12 * g2) / det;
    const s2 = -(-h12 * g1 + h11 * g2) / det;
    // Backtracking line search on the (convex) dual.
    const f0 = dual(a, b);
    let t = 1;
    while (t > 1e-12 && dual(a + t * s1, b + t * s2) > f0 + 1e-4 * t * (g1 * s1 + g2 * s2)) t /= 2;
    // Stalled at the floating-point floor: accept if already this close.
    if (t <= 1e-12) return Math.abs(g1) < 1e-9 && Math.abs(g2) < 1e-9 ? ps : null;
    a += t * s1;
    b += t * s2;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a) + Math.abs(b) > 1e6) return null;
  }
  return null;
}

/**
 * The unbiased distribution with the least variance: all mass on the nearest allowed perturbations
 * either side of 0, d− < 0 < d+, with P(d+) = −d− / (d+ − d−); its variance is −d−·d+. Used for
 * the rows where the blocked range forces more variance than V.
 */
function leastVarianceUnbiased(ds: number[]): number[] {
  const below = Math.max(...ds.filter((d) => d < 0));
  const above = Math.min(...ds.filter((d) => d > 0));
  const up = -below / (above - below);
  return ds.map((d) => (d === above ? up : d === below ? 1 - up : 0));
}

/** Probabilities to whole weights summing to exactly 2^32 (largest remainder). */
function toWeights(ps: number[]): number[] {
  const raw = ps.map((p) => p * KEY_SCALE);
  const weights = raw.map(Math.floor);
  let left = KEY_SCALE - weights.reduce((s, w) => s + w, 0);
  const order = raw.map((r, k) => [r - Math.floor(r), k] as const).sort((x, y) => y[0] - x[0]);
  for (const [, k] of order) {
    if (left <= 0) break;
    weights[k] += 1;
    left -= 1;
  }
  return weights;
}

/** Builds a ptable by the method described at the top of this file. */
export function generatePtable(name: string, version: number, params: PtableParams): Ptable {
  checkParams(params);
  const last = stationaryRow(params);
  const rows: PtableRow[] = [{ count: 0, transitions: [{ perturbed: 0, weight: KEY_SCALE }] }];
  for (let i = 1; i <= last; i++) {
    const ds = allowedPerturbations(i, params);
    const ps = unbiasedVarianceRange(ds, params.variance)
      ? maxEntropyMeanVariance(ds, params.variance)
      : leastVarianceUnbiased(ds);
    if (!ps) throw new Error(`ptable row ${i}: the maximum-entropy solve did not converge`);
    const weights = toWeights(ps);
    rows.push({
      count: i,
      transitions: ds
        .map((d, k) => ({ perturbed: i + d, weight: weights[k] }))
        .filter((t) => t.weight > 0),
    });
  }
  return {
    id: `${name}@${version}`,
    name,
    version,
    params: { ...params },
    method:
      'maximum entropy per row with zero mean and variance V (least-variance unbiased row where V is infeasible), ' +
      `|perturbation| <= ${params.maxPerturbation}, no count 1-${params.blockedUpTo} published, zeros unperturbed`,
    stationaryFrom: last,
    rows,
  };
}

/** The row for true count i: stored for i ≤ stationaryFrom, the last row shifted beyond. */
export function ptableRow(ptable: Ptable, count: number): PtableRow {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`a count is a whole number, at least 0 (got ${count})`);
  }
  if (count <= ptable.stationaryFrom) return ptable.rows[count];
  const shift = count - ptable.stationaryFrom;
  return {
    count,
    transitions: ptable.rows[ptable.stationaryFrom].transitions.map((t) => ({
      perturbed: t.perturbed + shift,
      weight: t.weight,
    })),
  };
}

/**
 * The published count for a cell with `trueCount` families and key `cellKey` (in [0, 1), a
 * multiple of 2^-32 as `cellKey()` gives). Deterministic: the same (count, key) always gives the
 * same result.
 */
export function perturb(trueCount: number, cellKey: number, ptable: Ptable): number {
  const u = cellKey * KEY_SCALE;
  if (!(cellKey >= 0 && cellKey < 1) || !Number.isInteger(u)) {
    throw new Error(`a cell key is a multiple of 2^-32 in [0, 1) (got ${cellKey})`);
  }
  const row = ptableRow(ptable, trueCount);
  let upper = 0;
  for (const t of row.transitions) {
    upper += t.weight;
    if (u < upper) return t.perturbed;
  }
  throw new Error(`ptable ${ptable.id} row ${trueCount} does not sum to 1`);
}
