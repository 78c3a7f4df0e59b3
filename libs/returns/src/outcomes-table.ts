/**
 * The outcomes drafters of a return: `outcomes` (the cohort's paired change, baseline to exit) and
 * `outcomes_one_year_on` (the one-year-on panel: the same families at baseline, exit and one year
 * on). Two tables, each narrow enough to print on a landscape A4 page with every cell.
 */
import { CohortFilter, DomainRow, SMALL_SAMPLE_N, domainRow } from '@app/outcomes';
import { Column, DraftCell, DraftTable, key } from './content';
import { TableSpec } from './spec';
import type { TableContext } from './tables';

const count = (n: number): DraftCell => ({ count: n });
/** A figure from counts, kept to one decimal place (percentages and percentage points). */
const figure = (v: number | null, from: string[]): DraftCell => ({ derived: v, from, places: 1 });
/** Text that follows from counts (a direction, a p as shown), suppressed with them. */
const said = (text: string | null, from: string[]): DraftCell =>
  text === null ? null : { text, from };

/** Every domain's row over the spec's cohort, with the table's key helpers. */
async function rows(ctx: TableContext, t: DraftTable, spec: TableSpec, filter: CohortFilter) {
  const cohort = spec.outcomeCohort ?? 'planned_exits';
  // Published: the finest cells perturbed and summed, so the table's lines hold (cells.ts).
  const counts = await ctx.counts.outcomes(filter, cohort);
  t.rows.push({
    id: 'cohort',
    label: 'Families in the cohort',
    cells: { n: count(counts.families) },
  });
  const exit = cohort === 'planned_exits' ? 'Exit' : 'Exit (or latest)';
  const domains = ctx.definitions.domains.map((domain, i) => {
    const k = (col: string) => key(t.id, domain.id, col);
    /** `total` = the published `parts` + a hidden count `col` of `value`. */
    const hide = (col: string, total: string, parts: string[], value: number) => {
      t.hidden[k(col)] = value;
      t.lines.push({ total: k(total), parts: [...parts.map(k), k(col)] });
    };
    return { domain, row: domainRow(domain, counts.domains[i]), k, hide };
  });
  return { exit, domains };
}

/** The columns and cells of a paired table and its change (cohort: baseline → exit). */
function pairedColumns(prefix: string, later: string, laterOnly: string): Column[] {
  return [
    { id: `${prefix}both`, label: `At baseline and ${later}`, unit: 'families' },
    { id: `${prefix}baseline_only`, label: 'At baseline only', unit: 'families' },
    { id: `${prefix}${laterOnly}`, label: `At ${later} only`, unit: 'families' },
    { id: `${prefix}neither`, label: 'At neither', unit: 'families' },
    {
      id: `${prefix}change_points`,
      label: `Change, ${later} − baseline (points)`,
      unit: 'percentage_points',
    },
    { id: `${prefix}change_ci95_lo`, label: 'Change: 95% CI, lower', unit: 'percentage_points' },
    { id: `${prefix}change_ci95_hi`, label: 'Change: 95% CI, upper', unit: 'percentage_points' },
    { id: `${prefix}direction`, label: 'Direction', unit: 'text' },
    { id: `${prefix}mcnemar_p`, label: 'McNemar exact p', unit: 'p_value' },
  ];
}

type Change = DomainRow['change'];

/**
 * A paired table (baseline against `later`): its four counts, the lines tying them to n and to the
 * margins, and its change, interval, direction and p as shown, each suppressed with the counts.
 */
function pairedCells(
  k: (col: string) => string,
  later: string,
  laterOnly: string,
  counts: [both: number, baselineOnly: number, laterOnly: number, neither: number],
  ch: Pick<Change, 'changePoints' | 'ci95Points' | 'direction' | 'mcnemarPText'>,
  withDirection: boolean,
) {
  const from = ['n', 'both', 'baseline_only', laterOnly, 'neither'].map(k);
  const [lo, hi] = ch.ci95Points ?? [null, null];
  const [both, baselineOnly, laterOnlyCount, neither] = counts;
  return {
    lines: [
      { total: k('n'), parts: from.slice(1) },
      { total: k('baseline'), parts: [k('both'), k('baseline_only')] },
      { total: k(later), parts: [k('both'), k(laterOnly)] },
    ],
    counts: {
      both: count(both),
      baseline_only: count(baselineOnly),
      [laterOnly]: count(laterOnlyCount),
      neither: count(neither),
    },
    change: {
      change_points: figure(ch.changePoints, from),
      change_ci95_lo: figure(lo, from),
      change_ci95_hi: figure(hi, from),
      ...(withDirection ? { direction: said(ch.direction?.replace('_', ' ') ?? null, from) } : {}),
      mcnemar_p: said(ch.mcnemarPText, from),
    },
  };
}

/**
 * The outcomes table of a return: per domain, the counts at baseline and exit, the paired table
 * (both, baseline only, exit only, neither), the change in points with its Newcombe interval, the
 * direction (from the definition's `lowerIsBetter`), the McNemar p as shown and the relative
 * reduction only where it reads truthfully. Lines tie every count to the others, so disclosure
 * control cannot be undone by subtraction.
 */
export async function outcomes(
  ctx: TableContext,
  t: DraftTable,
  spec: TableSpec,
  filter: CohortFilter,
) {
  const { exit, domains } = await rows(ctx, t, spec, filter);
  t.columns = [
    { id: 'n', label: 'Families assessed at baseline and exit', unit: 'families' },
    { id: 'better', label: 'Better when the share is', unit: 'text' },
    { id: 'small_sample', label: `Small sample (n < ${SMALL_SAMPLE_N})`, unit: 'text' },
    { id: 'baseline', label: 'Baseline', unit: 'families' },
    { id: 'baseline_pct', label: 'Baseline (%)', unit: 'percent' },
    { id: 'exit', label: exit, unit: 'families' },
    { id: 'exit_pct', label: `${exit} (%)`, unit: 'percent' },
    ...pairedColumns('', 'exit', 'exit_only'),
    { id: 'reduction_pct', label: 'Relative reduction (%), where it fell', unit: 'percent' },
  ];
  for (const { domain, row, k, hide } of domains) {
    const ch = row.change;
    const paired = pairedCells(
      k,
      'exit',
      'exit_only',
      [ch.both, ch.baselineOnly, ch.exitOnly, ch.neither],
      ch,
      true,
    );
    hide('baseline_absent', 'n', ['baseline'], row.n - row.baseline.count);
    hide('exit_absent', 'n', ['exit'], row.n - row.exit.count);
    // The paired table: its four cells make n, and its margins the baseline and exit counts.
    t.lines.push(...paired.lines);
    t.rows.push({
      id: domain.id,
      label: domain.label,
      // The paired table's cells first (columns keep their order): protection then covers a
      // small baseline_only with `neither` rather than with n (see query-disclosure.ts).
      cells: {
        ...paired.counts,
        n: count(row.n),
        better: { text: domain.lowerIsBetter ? 'lower' : 'higher' },
        small_sample: said(row.smallSample ? 'yes' : 'no', [k('n')]),
        baseline: count(row.baseline.count),
        baseline_pct: figure(row.baseline.pct, [k('baseline'), k('n')]),
        exit: count(row.exit.count),
        exit_pct: figure(row.exit.pct, [k('exit'), k('n')]),
        ...paired.change,
        reduction_pct: figure(row.relativeReductionPct, [k('baseline'), k('exit')]),
      },
    });
  }
}

/**
 * One year on, on the same families (`TableSpec.source` `outcomes_one_year_on`): per domain the
 * panel (of the cohort's families assessed at baseline and exit, those assessed one year on too),
 * its baseline, exit and one-year-on counts and percentages over the panel's n, its paired table
 * from baseline to one year on with the change and interval, and how many of the panel's families
 * improved at exit kept it. Lines tie the panel's counts; the panel's n is also a column of the
 * cohort's outcomes table's family (`follow_up_n` there is this table's `n`).
 */
export async function outcomesOneYearOn(
  ctx: TableContext,
  t: DraftTable,
  spec: TableSpec,
  filter: CohortFilter,
) {
  const { exit, domains } = await rows(ctx, t, spec, filter);
  t.columns = [
    { id: 'n', label: 'Families assessed at baseline, exit and one year on', unit: 'families' },
    { id: 'baseline', label: 'Baseline', unit: 'families' },
    { id: 'baseline_pct', label: 'Baseline (%)', unit: 'percent' },
    { id: 'exit', label: exit, unit: 'families' },
    { id: 'exit_pct', label: `${exit} (%)`, unit: 'percent' },
    { id: 'one_year_on', label: 'One year on', unit: 'families' },
    { id: 'one_year_on_pct', label: 'One year on (%)', unit: 'percent' },
    ...pairedColumns('', 'one year on', 'one_year_on_only').filter((c) => c.id !== 'direction'),
    { id: 'improved', label: 'Improved at exit', unit: 'families' },
    { id: 'kept', label: 'Of those, kept it one year on', unit: 'families' },
    { id: 'kept_pct', label: 'Kept (%)', unit: 'percent' },
  ];
  for (const { domain, row, k, hide } of domains) {
    const p: DomainRow['oneYearOn'] = row.oneYearOn;
    if (!p) {
      t.rows.push({ id: domain.id, label: domain.label, cells: { n: count(0) } });
      continue;
    }
    const ch = p.change;
    const paired = pairedCells(
      k,
      'one_year_on',
      'one_year_on_only',
      [ch.both, ch.baselineOnly, ch.oneYearOnOnly, ch.neither],
      ch,
      false,
    );
    hide('baseline_absent', 'n', ['baseline'], p.n - p.baseline.count);
    hide('exit_absent', 'n', ['exit'], p.n - p.exit.count);
    hide('one_year_on_absent', 'n', ['one_year_on'], p.n - p.oneYearOn.count);
    hide('not_kept', 'improved', ['kept'], p.sustained.improvedAtExit - p.sustained.kept);
    t.lines.push(...paired.lines);
    t.rows.push({
      id: domain.id,
      label: domain.label,
      cells: {
        ...paired.counts,
        n: count(p.n),
        baseline: count(p.baseline.count),
        baseline_pct: figure(p.baseline.pct, [k('baseline'), k('n')]),
        exit: count(p.exit.count),
        exit_pct: figure(p.exit.pct, [k('exit'), k('n')]),
        one_year_on: count(p.oneYearOn.count),
        one_year_on_pct: figure(p.oneYearOn.pct, [k('one_year_on'), k('n')]),
        ...paired.change,
        improved: count(p.sustained.improvedAtExit),
        kept: count(p.sustained.kept),
        kept_pct: figure(p.sustained.pct, [k('kept'), k('improved')]),
      },
    });
  }
}
