import { KEY_SCALE, PTABLE_V1 } from '@app/returns/cell-key';
import { parse } from 'csv-parse/sync';

/**
 * The differencing attack of issue 14 over HTTP: what a reader takes from an answer (its counts,
 * by cell), and how an attacker turns the published difference of one cell between two queries
 * into a guess of one family's flag.
 */

export type Route = 'outcomes' | 'summary' | 'savings';
export type Format = 'json' | 'csv';
/** Published counts by cell name; `null` where the answer does not give a number ("[c]"). */
export type Cells = Map<string, number | null>;

const count = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null;

interface OutcomesBody {
  cohorts: {
    kind: string;
    domains: { id: string; n: unknown; baseline: { count: unknown }; exit: { count: unknown } }[];
  }[];
}
interface SavingsBody {
  perDomain: { domain: string; baselineToExit: { improved: unknown; pairs: unknown } }[];
  perOutcome: {
    outcome: string;
    unitsAvoided: { baselineToExit: unknown };
    terms: { domain: string; quantity: string }[];
  }[];
}

/** A costed outcome priced from one domain alone: its units avoided ÷ quantity count families. */
export interface SingleTerm {
  outcome: string;
  domain: string;
  quantity: number;
}
export const singleTerms = (body: SavingsBody): SingleTerm[] =>
  body.perOutcome
    .filter((o) => o.terms.length === 1 && Number(o.terms[0].quantity) > 0)
    .map((o) => ({
      outcome: o.outcome,
      domain: o.terms[0].domain,
      quantity: Number(o.terms[0].quantity),
    }));

/**
 * The cells a flag is read from, and for each the cell whose difference says the family is in the
 * flag's denominator (a domain row's n; a domain's assessed pairs). Summary leaves have none: the
 * whole population is their denominator.
 */
export function cellsOf(route: Route, format: Format, text: string, terms: SingleTerm[]): Cells {
  const cells: Cells = new Map();
  if (format === 'csv') {
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    for (const r of rows) {
      if (route === 'outcomes') {
        cells.set(`${r.cohort}.${r.id}.n`, count(r.n));
        cells.set(`${r.cohort}.${r.id}.baseline`, count(r.baseline_count));
        cells.set(`${r.cohort}.${r.id}.exit`, count(r.exit_count));
      } else if (route === 'summary') {
        cells.set(r.measure, count(r.value));
      } else if (r.section === 'outcome') {
        const t = terms.find((s) => s.outcome === r.outcome);
        const units = count(r.units_avoided_baseline_to_exit);
        if (t) cells.set(`units.${t.outcome}`, units === null ? null : units / t.quantity);
      }
    }
    return cells;
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  if (route === 'outcomes') {
    for (const c of (body as unknown as OutcomesBody).cohorts) {
      for (const d of c.domains) {
        cells.set(`${c.kind}.${d.id}.n`, count(d.n));
        cells.set(`${c.kind}.${d.id}.baseline`, count(d.baseline.count));
        cells.set(`${c.kind}.${d.id}.exit`, count(d.exit.count));
      }
    }
  } else if (route === 'summary') {
    const flatten = (prefix: string, v: unknown) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, w] of Object.entries(v)) flatten(prefix ? `${prefix}.${k}` : k, w);
      } else cells.set(prefix, count(v));
    };
    for (const k of ['referred', 'offered', 'accepted', 'movedArea', 'accounting']) {
      flatten(k, body[k]);
    }
  } else {
    const s = body as unknown as SavingsBody;
    for (const d of s.perDomain) {
      cells.set(`perDomain.${d.domain}.improved`, count(d.baselineToExit.improved));
      cells.set(`perDomain.${d.domain}.pairs`, count(d.baselineToExit.pairs));
    }
    for (const t of terms) {
      const units = count(
        s.perOutcome.find((o) => o.outcome === t.outcome)?.unitsAvoided.baselineToExit,
      );
      cells.set(`units.${t.outcome}`, units === null ? null : units / t.quantity);
    }
  }
  return cells;
}

/** The flag cells of a route in a format, each with its denominator cell (if any). */
export function flagCells(route: Route, format: Format, cells: Cells, terms: SingleTerm[]) {
  const out: { cell: string; denominator?: string }[] = [];
  for (const cell of cells.keys()) {
    if (route === 'outcomes' && /\.(baseline|exit)$/.test(cell)) {
      out.push({ cell, denominator: cell.replace(/\.(baseline|exit)$/, '.n') });
    } else if (route === 'summary' && cell !== 'referred') {
      out.push({ cell });
    } else if (route === 'savings' && format === 'json' && cell.endsWith('.improved')) {
      out.push({ cell, denominator: cell.replace(/\.improved$/, '.pairs') });
    } else if (route === 'savings' && format === 'csv' && cell.startsWith('units.')) {
      const t = terms.find((s) => `units.${s.outcome}` === cell)!;
      out.push({ cell, denominator: `perDomain.${t.domain}.pairs` });
    }
  }
  return out;
}

/**
 * The noise on the difference of two independently keyed cells, from the published ptable (its
 * stationary row, which every count beyond the small ones uses): what a Bayes attacker knows.
 */
const stationary = PTABLE_V1.rows[PTABLE_V1.stationaryFrom].transitions.map(
  (t) => [t.perturbed - PTABLE_V1.stationaryFrom, t.weight / KEY_SCALE] as const,
);
const noiseOfDifference = new Map<number, number>();
for (const [d1, p1] of stationary) {
  for (const [d2, p2] of stationary) {
    noiseOfDifference.set(d2 - d1, (noiseOfDifference.get(d2 - d1) ?? 0) + p1 * p2);
  }
}
const likelihood = (diff: number, flagged: boolean) =>
  noiseOfDifference.get(flagged ? diff - 1 : diff) ?? 0;

/** The attackers: each guesses "flagged" from the published difference (with − without). */
export const ATTACKERS = {
  /** Reads the difference as the truth: the family is flagged iff the count went up. */
  naive: (diff: number) => diff >= 1,
  /** The likelier of flagged and not under the ptable's noise (a flag is 1/2 a priori). */
  bayes: (diff: number) => likelihood(diff, true) > likelihood(diff, false),
  /** Flagged iff the cell changed at all (what unscoped cell keys would give away). */
  changed: (diff: number) => diff !== 0,
} as const;
export type Attacker = keyof typeof ATTACKERS;

/** The best any attacker of one difference can do under the ptable: 1/2 + total variation / 2. */
export function bestUnderPtable(): number {
  let tv = 0;
  for (let diff = -40; diff <= 40; diff++) {
    tv += Math.abs(likelihood(diff, true) - likelihood(diff, false));
  }
  return 0.5 + tv / 4;
}
