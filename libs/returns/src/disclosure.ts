/**
 * Statistical disclosure control, pure. A table is a set of counts and the sums published with
 * them (`lines`: total = sum of parts, e.g. a row and its row total). Counts from 1 to
 * `threshold - 1` are suppressed (primary); then more cells are suppressed (secondary) until no
 * suppressed count can be worked out from what is published, by any combination of the lines —
 * not only by subtracting one row from its total. The check is linear algebra over the unknown
 * cells: a cell is recoverable exactly when its unit vector lies in the row space of the lines
 * restricted to the unknowns.
 */

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
    `counts are suppressed so that no suppressed count can be recovered from the totals ` +
    `published with it; percentages, means and statistics computed from a suppressed count ` +
    `are suppressed too.`
  );
}

export interface Line {
  total: string;
  parts: string[];
}

export interface CountTable {
  /** Cell id → count. */
  cells: Record<string, number>;
  /** Sums that hold between cells (and so between what is published). */
  lines: Line[];
  /** Cells that take part in lines but are never published (unknown to a reader). */
  hidden?: string[];
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

const EPS = 1e-9;

/**
 * The unknown cells whose value the published cells and the lines determine exactly. Gauss–
 * Jordan elimination of the lines' coefficients over the unknowns: an unknown is determined iff
 * its column is a pivot whose row has no other non-zero entry.
 */
export function recoverable(table: CountTable, unknown: ReadonlySet<string>): string[] {
  const vars = Object.keys(table.cells).filter((c) => unknown.has(c));
  const index = new Map(vars.map((v, i) => [v, i]));
  const rows: number[][] = [];
  for (const line of table.lines) {
    const row = new Array<number>(vars.length).fill(0);
    let any = false;
    const add = (id: string, k: number) => {
      const i = index.get(id);
      if (i === undefined) return;
      row[i] += k;
      any = true;
    };
    add(line.total, -1);
    for (const p of line.parts) add(p, 1);
    if (any) rows.push(row);
  }
  const pivots: number[] = [];
  let r = 0;
  for (let col = 0; col < vars.length && r < rows.length; col++) {
    let best = r;
    for (let i = r + 1; i < rows.length; i++) {
      if (Math.abs(rows[i][col]) > Math.abs(rows[best][col])) best = i;
    }
    if (Math.abs(rows[best][col]) < EPS) continue;
    [rows[r], rows[best]] = [rows[best], rows[r]];
    const p = rows[r][col];
    rows[r] = rows[r].map((v) => v / p);
    for (let i = 0; i < rows.length; i++) {
      if (i === r || Math.abs(rows[i][col]) < EPS) continue;
      const f = rows[i][col];
      rows[i] = rows[i].map((v, j) => v - f * rows[r][j]);
    }
    pivots[r] = col;
    r++;
  }
  const found: string[] = [];
  for (let i = 0; i < r; i++) {
    const others = rows[i].some((v, j) => j !== pivots[i] && Math.abs(v) > EPS);
    if (!others) found.push(vars[pivots[i]]);
  }
  return found;
}

/**
 * Primary then secondary suppression. Secondary cells are chosen among the published cells that
 * share a line with a recoverable one: the smallest non-zero count that makes it unrecoverable
 * (a zero protects little: a reader may guess it), else the smallest, until none is recoverable.
 */
export function protect(table: CountTable, rule: DisclosureRule = DEFAULT_DISCLOSURE): Protection {
  checkRule(rule);
  const order = Object.keys(table.cells);
  const hidden = new Set(table.hidden ?? []);
  const primary = order.filter((c) => !hidden.has(c) && isPrimary(table.cells[c], rule));
  const suppressed = new Set(primary);
  const unknown = () => new Set([...suppressed, ...hidden]);
  const exposed = (u: Set<string>) => recoverable(table, u).filter((c) => suppressed.has(c));
  const neighbours = (cell: string) =>
    new Set(
      table.lines
        .filter((l) => l.total === cell || l.parts.includes(cell))
        .flatMap((l) => [l.total, ...l.parts]),
    );
  const publishedNear = (cells: Iterable<string>) => {
    const near = new Set<string>();
    for (const c of cells) for (const n of neighbours(c)) near.add(n);
    return order
      .filter((c) => near.has(c) && !suppressed.has(c) && !hidden.has(c))
      .sort(
        (a, b) =>
          Number(table.cells[a] === 0) - Number(table.cells[b] === 0) ||
          table.cells[a] - table.cells[b] ||
          order.indexOf(a) - order.indexOf(b),
      );
  };
  for (let guard = 0; guard <= order.length; guard++) {
    const open = exposed(unknown());
    if (!open.length) break;
    const cell = open[0];
    let candidates = publishedNear([cell]);
    // Its lines may be exhausted: widen to every line touching an unknown cell.
    if (!candidates.length) candidates = publishedNear(unknown());
    if (!candidates.length) break;
    const fixes = candidates.find((c) => !exposed(new Set([...unknown(), c])).includes(cell));
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
