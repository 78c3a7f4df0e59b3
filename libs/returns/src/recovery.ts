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

/** Narrows the bounds through one equation; true if any bound moved. */
function narrow(e: Equation, lo: (bigint | null)[], hi: (bigint | null)[]): boolean {
  // The least and greatest value of each term a×x, null when unbounded.
  const terms = e.row.map((a, i) => {
    if (!a) return null;
    const [l, h] = a > 0n ? [lo[i], hi[i]] : [hi[i], lo[i]];
    return { a, i, min: l === null ? null : a * l, max: h === null ? null : a * h };
  });
  const live = terms.filter((t): t is NonNullable<typeof t> => t !== null);
  const sumOf = (pick: 'min' | 'max') => {
    let s = 0n;
    let open = 0;
    for (const t of live) {
      const v = t[pick];
      if (v === null) open++;
      else s += v;
    }
    return { s, open };
  };
  const mins = sumOf('min');
  const maxs = sumOf('max');
  let moved = false;
  for (const t of live) {
    // a×x = k − Σ others: at least k − max(others), at most k − min(others).
    const othersMax =
      t.max === null ? (maxs.open > 1 ? null : maxs.s) : maxs.open ? null : maxs.s - t.max;
    const othersMin =
      t.min === null ? (mins.open > 1 ? null : mins.s) : mins.open ? null : mins.s - t.min;
    const low = othersMax === null ? null : e.k - othersMax;
    const high = othersMin === null ? null : e.k - othersMin;
    const [xl, xh] =
      t.a > 0n
        ? [low === null ? null : ceilDiv(low, t.a), high === null ? null : floorDiv(high, t.a)]
        : [high === null ? null : ceilDiv(high, t.a), low === null ? null : floorDiv(low, t.a)];
    if (xl !== null && (lo[t.i] === null || xl > lo[t.i]!)) {
      lo[t.i] = xl;
      moved = true;
    }
    if (xh !== null && (hi[t.i] === null || xh < hi[t.i]!)) {
      hi[t.i] = xh;
      moved = true;
    }
  }
  return moved;
}

/** The unknown cells whose value a reader can work out exactly (in `unknown`'s order). */
export function recoveredCells(problem: RecoveryProblem): string[] {
  const vars = [...problem.unknown];
  const index = new Map(vars.map((v, i) => [v, i]));
  const base: Equation[] = [];
  for (const rel of problem.relations) {
    const row = new Array<bigint>(vars.length).fill(0n);
    let k = 0n;
    let any = false;
    for (const [cell, a] of rel.terms) {
      const i = index.get(cell);
      if (i === undefined) k -= a * (problem.values.get(cell) ?? 0n);
      else {
        row[i] += a;
        any = any || row[i] !== 0n;
      }
    }
    if (any) base.push({ row, k });
  }
  const lo = vars.map((v) => problem.bounds.get(v)?.lo ?? null);
  const hi = vars.map((v) => problem.bounds.get(v)?.hi ?? null);
  const fixed = (i: number) => lo[i] !== null && lo[i] === hi[i];
  let known = vars.map((_v, i) => fixed(i));
  for (let round = 0; round <= vars.length; round++) {
    // Substitute what is fixed so far, then eliminate what is left.
    const open = vars.map((_v, i) => i).filter((i) => !known[i]);
    const reduced = base.map((e) => ({
      row: open.map((i) => e.row[i]),
      k: e.k - e.row.reduce((s, a, i) => (known[i] && a ? s + a * lo[i]! : s), 0n),
    }));
    const { rows, pivots } = echelon(
      reduced.filter((e) => e.row.some((a) => a)),
      open.length,
    );
    rows.forEach((e, r) => {
      const col = pivots[r];
      if (e.row.every((a, j) => j === col || !a)) {
        const i = open[col];
        lo[i] = hi[i] = e.k / e.row[col];
      }
    });
    const all = [
      ...base,
      ...rows.map((e) => {
        const row = new Array<bigint>(vars.length).fill(0n);
        e.row.forEach((a, j) => (row[open[j]] = a));
        return { row, k: e.k };
      }),
    ];
    for (let pass = 0; pass < 4 * vars.length + 8; pass++) {
      let moved = false;
      for (const e of all) moved = narrow(e, lo, hi) || moved;
      if (!moved) break;
    }
    const next = vars.map((_v, i) => fixed(i));
    if (next.every((f, i) => f === known[i])) break;
    known = next;
  }
  return vars.filter((_v, i) => fixed(i));
}
