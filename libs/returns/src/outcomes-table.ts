/** The outcomes drafter of a return (`TableSpec.source` `outcomes`). */
import {
  CohortFilter,
  EpisodeSource,
  SMALL_SAMPLE_N,
  domainRow,
  outcomeCounts,
} from '@app/outcomes';
import type { ComposeContext } from './builder';
import { DraftCell, DraftTable, key } from './content';
import { TableSpec } from './spec';

const count = (n: number): DraftCell => ({ count: n });
/** A figure from counts, kept to one decimal place (percentages and percentage points). */
const figure = (v: number | null, from: string[]): DraftCell => ({ derived: v, from, places: 1 });
/** Text that follows from counts (a direction, a p as shown), suppressed with them. */
const said = (text: string | null, from: string[]): DraftCell =>
  text === null ? null : { text, from };

/**
 * The outcomes table of a return: per domain, the counts at baseline and exit, the paired table
 * (both, baseline only, exit only, neither), the change in points with its Newcombe interval, the
 * direction (from the definition's `lowerIsBetter`), the McNemar p as shown, the relative
 * reduction only where it reads truthfully, and the one-year-on panel (the same families at
 * baseline, exit and one year on, and how many kept an improvement). Lines tie every count to
 * the others, so disclosure control cannot be undone by subtraction.
 */
export async function outcomes(
  ctx: ComposeContext,
  t: DraftTable,
  spec: TableSpec,
  filter: CohortFilter,
  episodes: EpisodeSource,
) {
  const cohort = spec.outcomeCohort ?? 'planned_exits';
  const counts = await outcomeCounts(ctx.db, ctx.definitions, filter, cohort, episodes);
  const exit = cohort === 'planned_exits' ? 'Exit' : 'Exit (or latest)';
  t.columns = [
    { id: 'n', label: 'Families assessed at baseline and exit', unit: 'families' },
    { id: 'better', label: 'Better when the share is', unit: 'text' },
    { id: 'small_sample', label: `Small sample (n < ${SMALL_SAMPLE_N})`, unit: 'text' },
    { id: 'baseline', label: 'Baseline', unit: 'families' },
    { id: 'baseline_pct', label: 'Baseline (%)', unit: 'percent' },
    { id: 'exit', label: exit, unit: 'families' },
    { id: 'exit_pct', label: `${exit} (%)`, unit: 'percent' },
    { id: 'both', label: 'At baseline and exit', unit: 'families' },
    { id: 'baseline_only', label: 'At baseline only', unit: 'families' },
    { id: 'exit_only', label: 'At exit only', unit: 'families' },
    { id: 'neither', label: 'At neither', unit: 'families' },
    { id: 'change_points', label: 'Change, exit − baseline (points)', unit: 'percentage_points' },
    { id: 'change_ci95_lo', label: 'Change: 95% CI, lower (points)', unit: 'percentage_points' },
    { id: 'change_ci95_hi', label: 'Change: 95% CI, upper (points)', unit: 'percentage_points' },
    { id: 'direction', label: 'Direction', unit: 'text' },
    { id: 'change', label: 'Change, in words', unit: 'text' },
    { id: 'mcnemar_p', label: 'McNemar exact p', unit: 'p_value' },
    { id: 'reduction_pct', label: 'Relative reduction (%), where it fell', unit: 'percent' },
    { id: 'follow_up_n', label: 'Of those, assessed one year on (panel)', unit: 'families' },
    { id: 'follow_up_baseline', label: 'Panel: baseline', unit: 'families' },
    { id: 'follow_up_baseline_pct', label: 'Panel: baseline (%)', unit: 'percent' },
    { id: 'follow_up_exit', label: `Panel: ${exit.toLowerCase()}`, unit: 'families' },
    { id: 'follow_up_exit_pct', label: `Panel: ${exit.toLowerCase()} (%)`, unit: 'percent' },
    { id: 'follow_up', label: 'Panel: one year on', unit: 'families' },
    { id: 'follow_up_pct', label: 'Panel: one year on (%)', unit: 'percent' },
    { id: 'follow_up_both', label: 'Panel: at baseline and one year on', unit: 'families' },
    { id: 'follow_up_baseline_only', label: 'Panel: at baseline only', unit: 'families' },
    { id: 'follow_up_only', label: 'Panel: one year on only', unit: 'families' },
    { id: 'follow_up_neither', label: 'Panel: at neither', unit: 'families' },
    {
      id: 'follow_up_change_points',
      label: 'Panel: change, one year on − baseline (points)',
      unit: 'percentage_points',
    },
    {
      id: 'follow_up_change_ci95_lo',
      label: 'Panel: change, 95% CI, lower (points)',
      unit: 'percentage_points',
    },
    {
      id: 'follow_up_change_ci95_hi',
      label: 'Panel: change, 95% CI, upper (points)',
      unit: 'percentage_points',
    },
    { id: 'follow_up_change', label: 'Panel: change, in words', unit: 'text' },
    { id: 'follow_up_mcnemar_p', label: 'Panel: McNemar exact p', unit: 'p_value' },
    { id: 'improved', label: 'Panel: improved at exit', unit: 'families' },
    { id: 'kept', label: 'Panel: improvement kept one year on', unit: 'families' },
    { id: 'kept_pct', label: 'Panel: improvement kept (%)', unit: 'percent' },
  ];
  t.rows.push({
    id: 'cohort',
    label: 'Families in the cohort',
    cells: { n: count(counts.families) },
  });
  ctx.definitions.domains.forEach((domain, i) => {
    const c = counts.domains[i];
    const row = domainRow(domain, c);
    const k = (col: string) => key(t.id, domain.id, col);
    /** `total` = the published `parts` + a hidden count `col` of `value`. */
    const hide = (col: string, total: string, parts: string[], value: number) => {
      t.hidden[k(col)] = value;
      t.lines.push({ total: k(total), parts: [...parts.map(k), k(col)] });
    };
    const ch = row.change;
    const panel = row.oneYearOn;
    const cells = ['n', 'both', 'baseline_only', 'exit_only', 'neither'].map(k);
    hide('baseline_absent', 'n', ['baseline'], c.n - c.baseline);
    hide('exit_absent', 'n', ['exit'], c.n - c.end);
    // The paired table: its four cells make n, and its margins the baseline and exit counts.
    t.lines.push(
      { total: k('n'), parts: cells.slice(1) },
      { total: k('baseline'), parts: [k('both'), k('baseline_only')] },
      { total: k('exit'), parts: [k('both'), k('exit_only')] },
    );
    // The panel: part of n, each of its counts part of the cohort's; its complements hidden.
    hide(
      'follow_up_baseline_absent',
      'follow_up_n',
      ['follow_up_baseline'],
      c.followUpN - c.followUpBaseline,
    );
    hide('follow_up_exit_absent', 'follow_up_n', ['follow_up_exit'], c.followUpN - c.followUpEnd);
    hide('follow_up_absent', 'follow_up_n', ['follow_up'], c.followUpN - c.followUp);
    hide('not_followed_up', 'n', ['follow_up_n'], c.n - c.followUpN);
    hide(
      'baseline_not_followed_up',
      'baseline',
      ['follow_up_baseline'],
      c.baseline - c.followUpBaseline,
    );
    hide('exit_not_followed_up', 'exit', ['follow_up_exit'], c.end - c.followUpEnd);
    const improvedPairs = domain.lowerIsBetter ? 'baseline_only' : 'exit_only';
    const improvedAll = domain.lowerIsBetter ? ch.baselineOnly : ch.exitOnly;
    hide(
      'improved_not_followed_up',
      improvedPairs,
      ['improved'],
      improvedAll - c.improvedFollowedUp,
    );
    hide('not_kept', 'improved', ['kept'], c.improvedFollowedUp - c.kept);
    // The panel's paired table, baseline against one year on: its cells make the panel, its
    // margins the panel's baseline and one-year-on counts.
    const panelCells = [
      'follow_up_n',
      'follow_up_both',
      'follow_up_baseline_only',
      'follow_up_only',
      'follow_up_neither',
    ].map(k);
    t.lines.push(
      { total: k('follow_up_n'), parts: panelCells.slice(1) },
      {
        total: k('follow_up_baseline'),
        parts: [k('follow_up_both'), k('follow_up_baseline_only')],
      },
      { total: k('follow_up'), parts: [k('follow_up_both'), k('follow_up_only')] },
    );
    const pch = panel?.change;
    const [plo, phi] = pch?.ci95Points ?? [null, null];
    const fb = c.followUpBaseline - c.followUpBoth;
    const fo = c.followUp - c.followUpBoth;
    const [lo, hi] = ch.ci95Points ?? [null, null];
    t.rows.push({
      id: domain.id,
      label: domain.label,
      // The paired tables' cells first (columns keep their order): protection then covers a
      // small baseline_only with `neither` rather than with n (see query-disclosure.ts).
      cells: {
        both: count(ch.both),
        baseline_only: count(ch.baselineOnly),
        exit_only: count(ch.exitOnly),
        neither: count(ch.neither),
        follow_up_both: count(c.followUpBoth),
        follow_up_baseline_only: count(fb),
        follow_up_only: count(fo),
        follow_up_neither: count(c.followUpN - c.followUpBoth - fb - fo),
        n: count(c.n),
        better: { text: domain.lowerIsBetter ? 'lower' : 'higher' },
        small_sample: said(row.smallSample ? 'yes' : 'no', [k('n')]),
        baseline: count(c.baseline),
        baseline_pct: figure(row.baseline.pct, [k('baseline'), k('n')]),
        exit: count(c.end),
        exit_pct: figure(row.exit.pct, [k('exit'), k('n')]),
        change_points: figure(ch.changePoints, cells),
        change_ci95_lo: figure(lo, cells),
        change_ci95_hi: figure(hi, cells),
        direction: said(ch.direction?.replace('_', ' ') ?? null, cells),
        change: said(ch.text, cells),
        mcnemar_p: said(ch.mcnemarPText, cells),
        reduction_pct: figure(row.relativeReductionPct, [k('baseline'), k('exit')]),
        follow_up_n: count(c.followUpN),
        follow_up_baseline: count(c.followUpBaseline),
        follow_up_baseline_pct: figure(panel?.baseline.pct ?? null, [
          k('follow_up_baseline'),
          k('follow_up_n'),
        ]),
        follow_up_exit: count(c.followUpEnd),
        follow_up_exit_pct: figure(panel?.exit.pct ?? null, [
          k('follow_up_exit'),
          k('follow_up_n'),
        ]),
        follow_up: count(c.followUp),
        follow_up_pct: figure(panel?.oneYearOn.pct ?? null, [k('follow_up'), k('follow_up_n')]),
        follow_up_change_points: figure(pch?.changePoints ?? null, panelCells),
        follow_up_change_ci95_lo: figure(plo, panelCells),
        follow_up_change_ci95_hi: figure(phi, panelCells),
        follow_up_change: said(pch?.text ?? null, panelCells),
        follow_up_mcnemar_p: said(pch?.mcnemarPText ?? null, panelCells),
        improved: count(c.improvedFollowedUp),
        kept: count(c.kept),
        kept_pct: figure(panel?.sustained.pct ?? null, [k('kept'), k('improved')]),
      },
    });
  });
}
