/**
 * What every CSV the service writes says about itself, and the precision it writes figures to
 * (issue 15 item 8). One module: the outcomes, cohort summary, savings and follow-up CSVs of the
 * API and a return's CSV and HTML format their figures here, and every cell still goes through
 * `csvCell` (`./csv.ts`, the formula guard and RFC 4180 quoting).
 *
 * **Context as trailing columns.** A CSV answer ends every row with the same columns saying what
 * it answers: `cohort` (where the answer has one), `filters` (`key=value; …`, keys in order, only
 * those given), `as_at` (the instant the figures are as at) and `position` (the event-store
 * position the read models behind the answer had applied when it was read: every event up to and
 * including it is counted, unless `as_at` is earlier). Columns, not a block of `# key,value`
 * lines above the header: RFC 4180 has no comment lines, and Python's `csv`, pandas and R's
 * `read.csv` (without extra options), csv-parse and a spreadsheet's data import all read a file
 * with one header row and rows of equal length; a row copied or stacked with another file's rows
 * still says what it is. At the end, so that readers by position (column 0 is still `id`) are
 * unaffected, as the savings CSV's `unit_cost_table…` columns already were.
 *
 * **Precision.** Percentages to one decimal place, means to one, money to two, ratios to two,
 * fractions (a relative reduction: 0.658) to three,
 * p-values to three significant figures and `< 0.001` below that; counts as they are. A figure
 * is written as a plain decimal (`-547.2`, never `1e-7` or 17 digits), which `csvCell` leaves
 * unguarded since a spreadsheet reads it as a number.
 */
import { csvLine } from './csv';

export type FigureKind =
  'count' | 'percent' | 'mean' | 'money' | 'ratio' | 'fraction' | 'p_value' | 'text';

/** Decimal places per kind (p-values: significant figures). */
export const PRECISION = {
  percent: 1,
  mean: 1,
  money: 2,
  ratio: 2,
  fraction: 3,
  p_value: 3,
} as const;

/** Below this a p-value is written `< 0.001`. */
export const P_FLOOR = 0.001;

const fixed = (v: number, places: number) => {
  const s = v.toFixed(places);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
};

/**
 * A figure as written in every output: a number of `kind` to its precision; anything else (`[c]`,
 * text, an already formatted amount such as `"4304.04"`) as it is; null and non-finite as empty.
 */
export function formatFigure(kind: FigureKind, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return '';
  switch (kind) {
    case 'percent':
    case 'mean':
    case 'money':
    case 'ratio':
    case 'fraction':
      return fixed(value, PRECISION[kind]);
    case 'p_value':
      return value < P_FLOOR
        ? `< ${P_FLOOR}`
        : String(Number(value.toPrecision(PRECISION.p_value)));
    default:
      return String(value);
  }
}

/** Shorthands for writers: `pct(d.exit.pct)`, `pValue(d.mcnemarP)`, … */
export const pct = (v: unknown) => formatFigure('percent', v);
export const mean = (v: unknown) => formatFigure('mean', v);
export const money = (v: unknown) => formatFigure('money', v);
export const ratio = (v: unknown) => formatFigure('ratio', v);
export const pValue = (v: unknown) => formatFigure('p_value', v);
export const fraction = (v: unknown) => formatFigure('fraction', v);

/** What a CSV answer answers (see above); `cohort` is left out where the answer has none. */
export interface CsvContext {
  cohort?: string;
  /** The filters as asked: undefined ones are left out. */
  filters: Record<string, unknown>;
  asAt: string;
  position: string;
}

/**
 * The context of an answer from the `filters` object its JSON gives (`cohort` and `asAt` taken
 * out of it), and the position read before the figures.
 */
export const csvContext = (
  { cohort, asAt, ...filters }: Record<string, unknown>,
  position: string,
): CsvContext => ({
  ...(cohort === undefined ? {} : { cohort: String(cohort) }),
  filters,
  asAt: String(asAt),
  position,
});

/** The filters as one cell: `authority=leeds; programme=fip` (keys sorted; empty when none). */
export const filtersCell = (filters: Record<string, unknown>): string =>
  Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('; ');

/**
 * Ends every record of a CSV answer with its context: `records` are its lines as `csvLine`
 * wrote them (header first, each one whole record), the result the CSV text with a final line
 * end. The context goes through `csvLine` like every other cell.
 */
export function withContext(records: string[], context: CsvContext): string {
  const columns: [string, unknown][] = [
    ...(context.cohort === undefined ? [] : [['cohort', context.cohort] as [string, unknown]]),
    ['filters', filtersCell(context.filters)],
    ['as_at', context.asAt],
    ['position', context.position],
  ];
  const names = csvLine(columns.map(([name]) => name));
  const values = csvLine(columns.map(([, value]) => value));
  const [header, ...rows] = records;
  return [`${header},${names}`, ...rows.map((r) => `${r},${values}`)].join('\n') + '\n';
}
