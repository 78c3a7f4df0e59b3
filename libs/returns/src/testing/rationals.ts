/**
 * Exact rationals on bigint and the attacker's solver: reduced row echelon form by rational
 * elimination, then integer bounds narrowed through every equation (the attacker's own
 * arithmetic, written apart from the production protection's `recovery.ts`).
 */
/** p / q, q > 0, in lowest terms. */
export interface Q {
  p: bigint;
  q: bigint;
}
const babs = (v: bigint) => (v < 0n ? -v : v);
function gcdOf(a: bigint, b: bigint): bigint {
  a = babs(a);
  b = babs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1n;
}
export const q = (p: bigint, d = 1n): Q => {
  if (d < 0n) [p, d] = [-p, -d];
  const g = gcdOf(p, d);
  return { p: p / g, q: d / g };
};
export const ZERO = q(0n);
export const add = (a: Q, b: Q) => q(a.p * b.q + b.p * a.q, a.q * b.q);
export const sub = (a: Q, b: Q) => q(a.p * b.q - b.p * a.q, a.q * b.q);
export const mul = (a: Q, b: Q) => q(a.p * b.p, a.q * b.q);
export const div = (a: Q, b: Q) => q(a.p * b.q, a.q * b.p);
export const cmp = (a: Q, b: Q) => {
  const d = a.p * b.q - b.p * a.q;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};
export const floorQ = (a: Q) => (a.p >= 0n ? a.p / a.q : -((-a.p + a.q - 1n) / a.q));
export const ceilQ = (a: Q) => -floorQ(q(-a.p, a.q));

export const max = (a: Q | null, b: Q) => (a === null || cmp(b, a) > 0 ? b : a);
export const min = (a: Q | null, b: Q) => (a === null || cmp(b, a) < 0 ? b : a);

/** Elimination, then bounds narrowed through the equations and the echelon rows, repeated. */
export function solve(
  rows: { row: Q[]; c: Q }[],
  lo: (Q | null)[],
  hi: (Q | null)[],
  integer: (i: number) => boolean,
) {
  const width = lo.length;
  for (let round = 0; round < 2 * width + 2; round++) {
    const fixedBefore = lo.map((l, i) => l !== null && hi[i] !== null && cmp(l, hi[i]!) === 0);
    // Reduced row echelon form of the rows with the fixed variables substituted.
    const m = rows.map(({ row, c }) => {
      let k = c;
      const r = row.map((a, i) => {
        if (fixedBefore[i] && a.p !== 0n) {
          k = sub(k, mul(a, lo[i]!));
          return ZERO;
        }
        return a;
      });
      return { row: r, c: k };
    });
    let r = 0;
    for (let col = 0; col < width && r < m.length; col++) {
      const at = m.findIndex((e, i) => i >= r && e.row[col].p !== 0n);
      if (at < 0) continue;
      [m[r], m[at]] = [m[at], m[r]];
      const p = m[r].row[col];
      m[r] = { row: m[r].row.map((a) => div(a, p)), c: div(m[r].c, p) };
      for (let i = 0; i < m.length; i++) {
        const f = m[i].row[col];
        if (i === r || f.p === 0n) continue;
        m[i] = {
          row: m[i].row.map((a, j) => sub(a, mul(f, m[r].row[j]))),
          c: sub(m[i].c, mul(f, m[r].c)),
        };
      }
      r++;
    }
    // A row with one variable left fixes it (no direction of the solution space moves it).
    for (const e of m.slice(0, r)) {
      const nz = e.row.flatMap((a, i) => (a.p !== 0n ? [i] : []));
      if (nz.length === 1) lo[nz[0]] = hi[nz[0]] = div(e.c, e.row[nz[0]]);
    }
    const all = [...rows, ...m.slice(0, r)];
    for (let pass = 0; pass < 50; pass++) {
      let moved = false;
      for (const e of all) moved = tighten(e, lo, hi, integer) || moved;
      if (!moved) break;
    }
    const fixedAfter = lo.map((l, i) => l !== null && hi[i] !== null && cmp(l, hi[i]!) === 0);
    if (fixedAfter.every((f, i) => f === fixedBefore[i])) break;
  }
}

function tighten(
  e: { row: Q[]; c: Q },
  lo: (Q | null)[],
  hi: (Q | null)[],
  integer: (i: number) => boolean,
): boolean {
  let moved = false;
  const nz = e.row.flatMap((a, i) => (a.p !== 0n ? [i] : []));
  for (const j of nz) {
    // a_j x_j = c − Σ others.
    let least: Q | null = e.c;
    let most: Q | null = e.c;
    for (const i of nz) {
      if (i === j) continue;
      const a = e.row[i];
      const [l, h] = a.p > 0n ? [lo[i], hi[i]] : [hi[i], lo[i]];
      most = most && l ? sub(most, mul(a, l)) : null;
      least = least && h ? sub(least, mul(a, h)) : null;
    }
    const a = e.row[j];
    let [l, h] = a.p > 0n ? [least, most] : [most, least];
    l = l && div(l, a);
    h = h && div(h, a);
    if (l && integer(j)) l = q(ceilQ(l));
    if (h && integer(j)) h = q(floorQ(h));
    if (l && (lo[j] === null || cmp(l, lo[j]!) > 0)) {
      lo[j] = l;
      moved = true;
    }
    if (h && (hi[j] === null || cmp(h, hi[j]!) < 0)) {
      hi[j] = h;
      moved = true;
    }
  }
  return moved;
}

/** An equation by name: Σ coefficient × value = constant. */
export interface NamedEquation {
  terms: [name: string, coefficient: bigint][];
  constant?: bigint;
}

/**
 * Every unknown the equations, the published values and the bounds fix: names not in `known`
 * are unknown; an unknown is an integer unless `real` says otherwise.
 */
export function workOut(
  equations: NamedEquation[],
  known: ReadonlyMap<string, bigint>,
  bounds: ReadonlyMap<string, [lo: bigint | null, hi: bigint | null]>,
  real: (name: string) => boolean = () => false,
): Map<string, bigint> {
  const vars = [
    ...new Set(equations.flatMap((e) => e.terms.map(([n]) => n)).filter((n) => !known.has(n))),
  ];
  const at = new Map(vars.map((v, i) => [v, i]));
  const rows = equations.map((e) => {
    const row = vars.map(() => ZERO);
    let c = q(e.constant ?? 0n);
    for (const [n, a] of e.terms) {
      const i = at.get(n);
      if (i === undefined) c = sub(c, q(a * known.get(n)!));
      else row[i] = add(row[i], q(a));
    }
    return { row, c };
  });
  const lo = vars.map((v) => (bounds.get(v)?.[0] == null ? null : q(bounds.get(v)![0]!)));
  const hi = vars.map((v) => (bounds.get(v)?.[1] == null ? null : q(bounds.get(v)![1]!)));
  solve(
    rows.filter((r) => r.row.some((a) => a.p !== 0n)),
    lo,
    hi,
    (i) => !real(vars[i]),
  );
  const out = new Map<string, bigint>();
  vars.forEach((v, i) => {
    if (lo[i] && hi[i] && cmp(lo[i]!, hi[i]!) === 0 && lo[i]!.q === 1n) out.set(v, lo[i]!.p);
  });
  return out;
}
