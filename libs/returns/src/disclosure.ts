/**
 * Statistical disclosure control, pure. A table is a set of counts, the sums published with them
 * (`lines`: total = sum of parts, e.g. a row and its row total) and the figures computed from them
 * by weighted relations (`relations`: a cost-avoidance figure is Σ unit cost × count difference,
 * in whole sub-units of a penny). Counts from 1 to `threshold - 1` are suppressed (primary); then
 * more cells (figures first) are suppressed (secondary) until no suppressed count can be worked out
 * from what is published, by any combination of the relations and what a reader knows of every
 * count (at least 0; a suppressed small count lies in 1..threshold − 1): `recovery.ts`, exact
 * integer arithmetic throughout.
 */
import { Bound, Relation, recoveredCells } from './recovery';

export type { Bound, Relation } from './recovery';

export interface DisclosureRule {
  /** Counts from 1 to threshold - 1 are suppressed (NatCen/ONS convention: 1–4, threshold 5). */
  threshold: number;
}

export const DEFAULT_DISCLOSURE: DisclosureRule = Object.freeze({ threshold: 5 });

/** What a suppressed value is published as (ONS: "[c]" = confidential). */
export const SUPPRESSED = '[c]';

/** The rule as stated in every output that applies it. */
export function ruleText(rule: DisclosureRule): string {
  return (
    `Counts from 1 to ${rule.threshold - 1} are suppressed (shown as ${SUPPRESSED}); further ` +
    `counts and money figures are suppressed so that no suppressed count can be recovered from ` +
    `the totals and the money published with it (money is unit cost × counts); percentages, ` +
    `means and statistics computed from a suppressed count are suppressed too.`
  );
}

export interface Line {
  total: string;
  parts: string[];
}

export interface CountTable {
  /** Cell id → value: a count, or a figure's exact value in a whole sub-unit (e.g. 1/1000 p). */
  cells: Record<string, number>;
  /** Sums that hold between cells (and so between what is published). */
  lines: Line[];
  /** Weighted relations: a figure (money) as Σ integer coefficient × count, exactly. */
  relations?: Relation[];
  /** Cells that take part in relations but are never published (unknown to a reader). */
  hidden?: string[];
  /**
   * Cells that are figures computed from counts (money), not counts: never suppressed as small,
   * may be negative; suppressed when publishing them would give a suppressed count away.
   */
  figures?: string[];
}

export interface Protection {
  primary: string[];
  /** Every suppressed cell, primary and secondary, in the table's cell order. */
  suppressed: string[];
}

export function checkRule(rule: DisclosureRule): DisclosureRule {
  if (!Number.isInteger(rule.threshold) || rule.threshold < 2) {
    throw new Error('disclosure threshold must be a whole number, at least 2');
  }
  return rule;
}

export const isPrimary = (count: number, rule: DisclosureRule) =>
  count > 0 && count < rule.threshold;

/** A count published on its own (no table to protect it): suppressed when it is a primary cell. */
export const shownCount = (count: number, rule: DisclosureRule): number | typeof SUPPRESSED =>
  isPrimary(count, rule) ? SUPPRESSED : count;

/** A line as a relation: −total + Σ parts = 0. */
export const lineRelation = (line: Line): Relation => ({
  terms: [[line.total, -1n], ...line.parts.map((p): [string, bigint] => [p, 1n])],
});

/** Every relation of a table: its lines and its weighted relations. */
export const relationsOf = (table: CountTable): Relation[] => [
  ...table.lines.map(lineRelation),
  ...(table.relations ?? []),
];

/**
 * What a reader knows of an unknown cell without the relations: a count is at least 0; a count
 * suppressed as small (`primary`) lies in 1..threshold − 1; a figure (money) may be anything.
 */
export function readerBounds(
  table: CountTable,
  unknown: Iterable<string>,
  primary: ReadonlySet<string> = new Set(),
  rule: DisclosureRule = DEFAULT_DISCLOSURE,
): Map<string, Bound> {
  const figures = new Set(table.figures ?? []);
  const bounds = new Map<string, Bound>();
  for (const c of unknown) {
    if (figures.has(c)) continue;
    bounds.set(
      c,
      primary.has(c) ? { lo: 1n, hi: BigInt(rule.threshold - 1) } : { lo: 0n, hi: null },
    );
  }
  return bounds;
}

/**
 * The unknown cells whose value the published cells, the relations and the bounds determine
 * exactly (`recoveredCells`: exact linear algebra, then bounds). Without `primary`, a reader is
 * taken to know only that counts are at least 0.
 */
export function recoverable(
  table: CountTable,
  unknown: ReadonlySet<string>,
  primary: ReadonlySet<string> = new Set(),
  rule: DisclosureRule = DEFAULT_DISCLOSURE,
): string[] {
  const vars = Object.keys(table.cells).filter((c) => unknown.has(c));
  return recoveredCells({
    values: new Map(Object.entries(table.cells).map(([c, v]) => [c, BigInt(v)])),
    relations: relationsOf(table),
    unknown: vars,
    bounds: readerBounds(table, vars, primary, rule),
  });
}

/** How many candidates secondary suppression tries before taking the first. */
const TRIES = 4;

/**
 * Primary then secondary suppression. Secondary cells are chosen among the published cells that
 * share a relation with a recoverable one: every such figure (money) at once, else the smallest
 * non-zero count (a zero protects little: a reader may guess it), else the smallest, the first of
 * a few that makes it unrecoverable, until none is. A reader is taken to know which cells are small
 * (1..threshold − 1), that every count is at least 0, and every relation.
 */
export function protect(table: CountTable, rule: DisclosureRule = DEFAULT_DISCLOSURE): Protection {
  checkRule(rule);
  const order = Object.keys(table.cells);
  const hidden = new Set(table.hidden ?? []);
  const figures = new Set(table.figures ?? []);
  const primary = order.filter(
    (c) => !hidden.has(c) && !figures.has(c) && isPrimary(table.cells[c], rule),
  );
  const small = new Set(primary);
  const suppressed = new Set(primary);
  const relations = relationsOf(table);
  const unknown = () => new Set([...suppressed, ...hidden]);
  // A suppressed count worked out is a disclosure; a suppressed figure worked out is not (money
  // a reader can work out only from what is published tells it nothing new).
  // At threshold 2 a small count's bound (1..1) pins it by itself: no suppression can help that,
  // so such a cell counts as worked out only if the relations give it away without its bound.
  const pinned = (c: string) => rule.threshold === 2 && small.has(c);
  const exposed = (u: Set<string>) => {
    const found = recoverable(table, u, small, rule);
    const byItself = found.some(pinned) ? new Set(recoverable(table, u, new Set(), rule)) : null;
    return found.filter(
      (c) => suppressed.has(c) && !figures.has(c) && (!pinned(c) || byItself!.has(c)),
    );
  };
  const neighbours = (cell: string) =>
    new Set(
      relations
        .filter((r) => r.terms.some(([c]) => c === cell))
        .flatMap((r) => r.terms.map(([c]) => c)),
    );
  const publishedNear = (cells: Iterable<string>) => {
    const near = new Set<string>();
    for (const c of cells) for (const n of neighbours(c)) near.add(n);
    return order
      .filter((c) => near.has(c) && !suppressed.has(c) && !hidden.has(c))
      .sort(
        (a, b) =>
          Number(figures.has(b)) - Number(figures.has(a)) ||
          (figures.has(a) ? 0 : Number(table.cells[a] === 0) - Number(table.cells[b] === 0)) ||
          (figures.has(a) ? 0 : table.cells[a] - table.cells[b]) ||
          order.indexOf(a) - order.indexOf(b),
      );
  };
  for (let guard = 0; guard <= order.length; guard++) {
    const open = exposed(unknown());
    if (!open.length) break;
    const cell = open[0];
    let candidates = publishedNear([cell]);
    // Its relations may be exhausted: widen to every relation touching an unknown cell.
    if (!candidates.length) candidates = publishedNear(unknown());
    if (!candidates.length) break;
    // Money beside a recoverable count goes together: one figure at a time costs a solve each.
    const money = candidates.filter((c) => figures.has(c));
    if (money.length) {
      for (const c of money) suppressed.add(c);
      continue;
    }
    // The first few that make it unrecoverable (each try is a solve: a bound keeps it quick).
    const fixes = candidates
      .slice(0, TRIES)
      .find((c) => !exposed(new Set([...unknown(), c])).includes(cell));
    suppressed.add(fixes ?? candidates[0]);
  }
  return { primary, suppressed: order.filter((c) => suppressed.has(c)) };
}

/**
 * A two-way table with its margins as a `CountTable` (cell ids `r<i>c<j>`, totals `r<i>T`,
 * `Tc<j>`, `TT`), the common shape of a return's tables.
 */
export function gridTable(counts: number[][]): CountTable {
  const cells: Record<string, number> = {};
  const lines: Line[] = [];
  const cols = counts[0]?.length ?? 0;
  const colTotals = new Array<number>(cols).fill(0);
  counts.forEach((row, i) => {
    row.forEach((v, j) => {
      cells[`r${i}c${j}`] = v;
      colTotals[j] += v;
    });
    cells[`r${i}T`] = row.reduce((a, b) => a + b, 0);
    lines.push({ total: `r${i}T`, parts: row.map((_v, j) => `r${i}c${j}`) });
  });
  colTotals.forEach((v, j) => {
    cells[`Tc${j}`] = v;
    lines.push({ total: `Tc${j}`, parts: counts.map((_r, i) => `r${i}c${j}`) });
  });
  cells.TT = colTotals.reduce((a, b) => a + b, 0);
  lines.push({ total: 'TT', parts: colTotals.map((_v, j) => `Tc${j}`) });
  lines.push({ total: 'TT', parts: counts.map((_r, i) => `r${i}T`) });
  return { cells, lines };
}
