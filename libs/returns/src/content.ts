/**
 * A return's content: tables drafted from the records (counts, and figures derived from counts),
 * then published through disclosure control. Counts are families (or family episodes); every
 * derived figure names the counts it was computed from, so it is suppressed with them.
 */
import { csvLine } from '@app/security/csv';
import type { PerturbationStatement } from './cell-key';
import { FigureKind, formatFigure } from '@app/security/csv-output';
import {
  CountTable,
  DisclosureRule,
  Line,
  Relation,
  SUPPRESSED,
  protect,
  ruleText,
} from './disclosure';

export type Unit =
  | 'families'
  | 'revisits'
  | 'percent'
  | 'percentage_points'
  | 'days'
  | 'hours_per_week'
  | 'p_value'
  | 'gbp'
  | 'ratio'
  | 'year'
  | 'text';

/** How each unit's figures are written (precision: `@app/security/csv-output`). */
const KIND: Record<Unit, FigureKind> = {
  families: 'count',
  revisits: 'count',
  percent: 'percent',
  percentage_points: 'percent',
  days: 'mean',
  hours_per_week: 'mean',
  p_value: 'p_value',
  gbp: 'money',
  ratio: 'ratio',
  year: 'text',
  text: 'text',
};

/**
 * A published value as the CSV and the HTML write it: to its unit's precision (`75.0`,
 * `< 0.001`), `[c]` and text as they are, nothing for null. The JSON keeps the number.
 */
export const displayValue = (unit: Unit, value: Published): string =>
  formatFigure(KIND[unit], value);

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** An instant in words, in UTC: `3 December 2026 at 16:05 UTC`. */
export function humanInstant(iso: string): string {
  const d = new Date(iso);
  const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} at ${hhmm} UTC`;
}

export interface Column {
  id: string;
  label: string;
  unit: Unit;
}

/** A draft cell: a count, a figure derived from counts (by their keys), or plain text. */
export type DraftCell =
  | { count: number }
  | { derived: number | null; from: string[]; places: number }
  /** A figure kept to significant digits (p-values: 3e-12 must not round to 0). */
  | { derived: number | null; from: string[]; significant: number }
  | { text: string; from?: string[] }
  | null;

export interface DraftTable {
  id: string;
  title: string;
  cohort: string;
  columns: Column[];
  rows: { id: string; label: string; cells: Record<string, DraftCell> }[];
  /** Sums between cells, by key (`key(table, row, column)` or a hidden cell's id). */
  lines: Line[];
  /** Counts that take part in lines but are not published (e.g. "not present" beside "present"). */
  hidden: Record<string, number>;
  /** Weighted relations between cells (money = Σ unit money × counts), by key. */
  relations?: Relation[];
  /**
   * Published figures that take part in `relations` (money), by key: their exact value in the
   * relations' sub-unit. Suppressed like a count when publishing them would give a count away.
   */
  figures?: Record<string, number>;
}

export const key = (table: string, row: string, column: string) => `${table}.${row}.${column}`;

export type Published = number | string | null;

export interface ReturnTable {
  id: string;
  title: string;
  cohort: string;
  columns: Column[];
  rows: { id: string; label: string; values: Record<string, Published> }[];
}

export interface ReturnSection {
  id: string;
  title: string;
  tables: ReturnTable[];
}

export interface DisclosureStatement {
  threshold: number;
  symbol: string;
  rule: string;
  /** How many cells were suppressed: primary (small counts) and secondary (to protect them). */
  suppressed: { primary: number; secondary: number };
  /** The cell-key perturbation every count went through before the rule (issue 14). */
  perturbation?: PerturbationStatement;
}

const round = (v: number, places: number) => {
  const f = 10 ** places;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

/**
 * Applies the rule across every table of a return at once (a count shown in two tables is tied by
 * a line, so suppressing it in one suppresses it in the other).
 */
export function publish(
  drafts: { section: { id: string; title: string }; tables: DraftTable[] }[],
  rule: DisclosureRule,
): { sections: ReturnSection[]; disclosure: DisclosureStatement } {
  const table: CountTable = { cells: {}, lines: [], hidden: [], relations: [], figures: [] };
  for (const { tables } of drafts) {
    for (const t of tables) {
      for (const row of t.rows) {
        for (const [col, cell] of Object.entries(row.cells)) {
          if (cell && 'count' in cell) table.cells[key(t.id, row.id, col)] = cell.count;
        }
      }
      for (const [id, v] of Object.entries(t.hidden)) {
        table.cells[id] = v;
        table.hidden!.push(id);
      }
      table.lines.push(...t.lines);
      table.relations!.push(...(t.relations ?? []));
      for (const [id, v] of Object.entries(t.figures ?? {})) {
        table.cells[id] = v;
        table.figures!.push(id);
      }
    }
  }
  const { primary, suppressed } = protect(table, rule);
  const hidden = new Set(suppressed);
  const value = (cell: DraftCell, k: string): Published => {
    if (cell === null) return null;
    if (hidden.has(k)) return SUPPRESSED;
    if ('count' in cell) return cell.count;
    if (cell.from?.some((f) => hidden.has(f))) return SUPPRESSED;
    if ('text' in cell) return cell.text;
    if (cell.derived === null) return null;
    return 'significant' in cell
      ? Number(cell.derived.toPrecision(cell.significant))
      : round(cell.derived, cell.places);
  };
  return {
    sections: drafts.map(({ section, tables }) => ({
      ...section,
      tables: tables.map((t) => ({
        id: t.id,
        title: t.title,
        cohort: t.cohort,
        columns: t.columns,
        rows: t.rows.map((row) => ({
          id: row.id,
          label: row.label,
          values: Object.fromEntries(
            t.columns.map((c) => [c.id, value(row.cells[c.id] ?? null, key(t.id, row.id, c.id))]),
          ),
        })),
      })),
    })),
    disclosure: {
      threshold: rule.threshold,
      symbol: SUPPRESSED,
      rule: ruleText(rule),
      suppressed: { primary: primary.length, secondary: suppressed.length - primary.length },
    },
  };
}

export interface Provenance {
  spec: string;
  /** The event-store position the return was built at (every event up to and including it). */
  position: string;
  outcomeRules: { sources: string[]; fingerprint: string };
  unitCosts: string | null;
  /** The perturbation table every count went through (`id@version`, cell-key perturbation). */
  ptable?: string;
  software: string;
  /**
   * Episodes referred / exited in the period left out of every table because the family had
   * withdrawn consent to evaluation by the position (counts 1 to threshold - 1 published `[c]`).
   */
  excludedForConsent: { referredInPeriod: number | string; exitedInPeriod: number | string };
}

export interface ReturnContent {
  format: 'outcomes-ledger/return/1';
  return: {
    spec: string;
    title: string;
    /** Null: a national return (every authority). */
    authority: string | null;
    periodStart: string;
    periodEnd: string;
  };
  provenance: Provenance;
  disclosure: DisclosureStatement;
  sections: ReturnSection[];
}

/** The perturbation's lines of a CSV's disclosure note. */
const perturbationMeta = (p: PerturbationStatement | undefined) =>
  p
    ? {
        perturbation: p.text,
        ptable: p.ptable,
        maxPerturbation: p.maxPerturbation,
        variance: p.variance,
        blockedUpTo: p.blockedUpTo,
      }
    : {};

/**
 * One tidy CSV (one value a line), the return's identity, provenance, disclosure rule and (when
 * given) when this copy was built first:
 * `section,table,row,row_label,column,column_label,unit,value,cohort`. Values are written to
 * their unit's precision (`displayValue`); `cohort` says whom each table counts. The filters
 * (authority, period), the position and the build are the `return,…` lines.
 */
export function returnCsv(content: ReturnContent, builtAt?: string | null): string {
  const lines = [
    csvLine([
      'section',
      'table',
      'row',
      'row_label',
      'column',
      'column_label',
      'unit',
      'value',
      'cohort',
    ]),
  ];
  const meta = (table: string, values: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(values)) {
      lines.push(csvLine(['return', table, k, '', 'value', '', 'text', v, '']));
    }
  };
  meta('return', content.return);
  meta('provenance', {
    ...content.provenance,
    outcomeRules: `${content.provenance.outcomeRules.sources.join('+')} ${content.provenance.outcomeRules.fingerprint}`,
    excludedForConsent: `referred in period ${content.provenance.excludedForConsent.referredInPeriod}; exited in period ${content.provenance.excludedForConsent.exitedInPeriod}`,
  });
  meta('disclosure', {
    threshold: content.disclosure.threshold,
    symbol: content.disclosure.symbol,
    rule: content.disclosure.rule,
    primary: content.disclosure.suppressed.primary,
    secondary: content.disclosure.suppressed.secondary,
    ...perturbationMeta(content.disclosure.perturbation),
  });
  if (builtAt) meta('build', { builtAt, built: humanInstant(builtAt) });
  for (const section of content.sections) {
    for (const t of section.tables) {
      for (const row of t.rows) {
        for (const c of t.columns) {
          lines.push(
            csvLine([
              section.id,
              t.id,
              row.id,
              row.label,
              c.id,
              c.label,
              c.unit,
              displayValue(c.unit, row.values[c.id]),
              t.cohort,
            ]),
          );
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}
