/**
 * What a reader can work out exactly from a published table: exact integer linear algebra over
 * the unknown cells (fraction-free Gauss–Jordan on bigint rows, no floating point), then bounds
 * (every count is at least 0, a primary count lies in 1..threshold − 1) propagated through every
 * equation, then elimination again with what the bounds fixed, until nothing changes.
 */

/** Σ coefficient × cell = 0, with integer coefficients. */
export interface Relation {
  terms: [cell: string, coefficient: bigint][];
}

/** A cell's possible values: `null` is unbounded on that side. */
export interface Bound {
  lo: bigint | null;
  hi: bigint | null;
}

export interface RecoveryProblem {
  /** Every cell's value (integers: counts, money in a fixed sub-unit). */
  values: ReadonlyMap<string, bigint>;
  relations: readonly Relation[];
  /** Cells a reader does not know; every other cell is published. */
  unknown: readonly string[];
  /** What a reader knows of an unknown cell's value (unbounded if absent). */
  bounds: ReadonlyMap<string, Bound>;
}

const abs = (v: bigint) => (v < 0n ? -v : v);
const gcd = (a: bigint, b: bigint): bigint => {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
};
const floorDiv = (n: bigint, d: bigint) => {
  if (d < 0n) [n, d] = [-n, -d];
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
};
const ceilDiv = (n: bigint, d: bigint) => -floorDiv(-n, d);

/** An equation over the unknowns: Σ row[i] × x[i] = k. */
interface Equation {
  row: bigint[];
  k: bigint;
}

function normalise(e: Equation): Equation {
  let g = abs(e.k);
  for (const v of e.row) if (v) g = gcd(g, v);
  if (g <= 1n) return e;
  return { row: e.row.map((v) => v / g), k: e.k / g };
}

/** Reduced row echelon form, exactly: rows scaled to integers, each pivot column cleared. */
function echelon(equations: Equation[], width: number): { rows: Equation[]; pivots: number[] } {
  const rows = equations.map(normalise);
  const pivots: number[] = [];
  let r = 0;
  for (let col = 0; col < width && r < rows.length; col++) {
    let at = -1;
    for (let i = r; i < rows.length; i++) if (rows[i].row[col]) at = at < 0 ? i : at;
    if (at < 0) continue;
    [rows[r], rows[at]] = [rows[at], rows[r]];
    const p = rows[r].row[col];
    for (let i = 0; i < rows.length; i++) {
      const f = rows[i].row[col];
      if (i === r || !f) continue;
      rows[i] = normalise({
        row: rows[i].row.map((v, j) => v * p - f * rows[r].row[j]),
        k: rows[i].k * p - f * rows[r].k,
      });
    }
    pivots.push(col);
    r++;
  }
  return { rows: rows.slice(0, r), pivots };
}

/** An equation's non-zero terms: Σ a × x[i] = k. */
interface Sparse {
  terms: [i: number, a: bigint][];
  k: bigint;
}

/** Narrows the bounds through one equation; true if any bound moved. */
function narrow(e: Sparse, lo: (bigint | null)[], hi: (bigint | null)[]): boolean {
  // Σ of the least (greatest) value of each term a×x, and how many terms are unbounded there.
  let minSum = 0n;
  let minOpen = 0;
  let maxSum = 0n;
  let maxOpen = 0;
  const mins: (bigint | null)[] = [];
  const maxs: (bigint | null)[] = [];
  for (const [i, a] of e.terms) {
    const [l, h] = a > 0n ? [lo[i], hi[i]] : [hi[i], lo[i]];
    const min = l === null ? null : a * l;
    const max = h === null ? null : a * h;
    mins.push(min);
    maxs.push(max);
    if (min === null) minOpen++;
    else minSum += min;
    if (max === null) maxOpen++;
    else maxSum += max;
  }
  if (minOpen > 1 && maxOpen > 1) return false;
  let moved = false;
  e.terms.forEach(([i, a], t) => {
    // a×x = k − Σ others: at least k − max(others), at most k − min(others).
    const othersMax =
      maxs[t] === null ? (maxOpen > 1 ? null : maxSum) : maxOpen ? null : maxSum - maxs[t]!;
    const othersMin =
      mins[t] === null ? (minOpen > 1 ? null : minSum) : minOpen ? null : minSum - mins[t]!;
    const low = othersMax === null ? null : e.k - othersMax;
    const high = othersMin === null ? null : e.k - othersMin;
    const [xl, xh] =
      a > 0n
        ? [low === null ? null : ceilDiv(low, a), high === null ? null : floorDiv(high, a)]
        : [high === null ? null : ceilDiv(high, a), low === null ? null : floorDiv(low, a)];
    if (xl !== null && (lo[i] === null || xl > lo[i]!)) {
      lo[i] = xl;
      moved = true;
    }
    if (xh !== null && (hi[i] === null || xh < hi[i]!)) {
      hi[i] = xh;
      moved = true;
    }
  });
  return moved;
}

/** The unknown cells whose value a reader can work out exactly (in `unknown`'s order). */
export function recoveredCells(problem: RecoveryProblem): string[] {
  const vars = [...problem.unknown];
  const index = new Map(vars.map((v, i) => [v, i]));
  const base: Sparse[] = [];
  for (const rel of problem.relations) {
    const terms = new Map<number, bigint>();
    let k = 0n;
    for (const [cell, a] of rel.terms) {
      const i = index.get(cell);
      if (i === undefined) k -= a * (problem.values.get(cell) ?? 0n);
      else terms.set(i, (terms.get(i) ?? 0n) + a);
    }
    const nz = [...terms].filter(([, a]) => a !== 0n);
    if (nz.length) base.push({ terms: nz, k });
  }
  const lo = vars.map((v) => problem.bounds.get(v)?.lo ?? null);
  const hi = vars.map((v) => problem.bounds.get(v)?.hi ?? null);
  // Unknowns that share no equation are worked out apart: elimination is cubic in the block.
  const parent = vars.map((_v, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const e of base) for (const [i] of e.terms) parent[find(i)] = find(e.terms[0][0]);
  const blocks = new Map<number, Sparse[]>();
  for (const e of base) {
    const b = find(e.terms[0][0]);
    blocks.set(b, [...(blocks.get(b) ?? []), e]);
  }
  for (const equations of blocks.values()) solveBlock(equations, lo, hi);
  return vars.filter((_v, i) => lo[i] !== null && lo[i] === hi[i]);
}

/** Elimination and bounds, repeated with what they fix, over one block of equations. */
function solveBlock(equations: Sparse[], lo: (bigint | null)[], hi: (bigint | null)[]) {
  const cols = [...new Set(equations.flatMap((e) => e.terms.map(([i]) => i)))];
  const fixed = (i: number) => lo[i] !== null && lo[i] === hi[i];
  let known = cols.map(fixed);
  for (let round = 0; round <= cols.length; round++) {
    // Substitute what is fixed so far, then eliminate what is left.
    const open = cols.filter((_c, j) => !known[j]);
    const at = new Map(open.map((c, j) => [c, j]));
    const reduced: Equation[] = [];
    for (const e of equations) {
      const row = new Array<bigint>(open.length).fill(0n);
      let k = e.k;
      for (const [i, a] of e.terms) {
        const j = at.get(i);
        if (j === undefined) k -= a * lo[i]!;
        else row[j] += a;
      }
      if (row.some((a) => a)) reduced.push({ row, k });
    }
    const { rows, pivots } = echelon(reduced, open.length);
    rows.forEach((e, r) => {
      const col = pivots[r];
      if (e.row.every((a, j) => j === col || !a)) {
        const i = open[col];
        lo[i] = hi[i] = e.k / e.row[col];
      }
    });
    const all: Sparse[] = [
      ...equations,
      ...rows.map((e) => ({
        terms: e.row.flatMap((a, j): [number, bigint][] => (a ? [[open[j], a]] : [])),
        k: e.k,
      })),
    ];
    for (let pass = 0; pass < 4 * cols.length + 8; pass++) {
      let moved = false;
      for (const e of all) moved = narrow(e, lo, hi) || moved;
      if (!moved) break;
    }
    const next = cols.map(fixed);
    if (next.every((f, j) => f === known[j])) break;
    known = next;
  }
}
