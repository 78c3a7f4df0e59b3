/**
 * The outcomes chart (`outcomesChartSvg`) over published figures: a domain whose baseline or exit
 * figure is suppressed is left out, a suppressed one-year-on figure is not drawn, so a picture
 * never shows what the table hides.
 */
import {
  COHORT_KINDS,
  CohortKind,
  DomainRow,
  Proportion,
  SMALL_SAMPLE_N,
  outcomesChartSvg,
  proportion,
} from '@app/outcomes';
import { ReturnContent } from './content';

/** A figure the chart must not draw (its count is suppressed): no percentage, no interval. */
const SUPPRESSED_POINT: Proportion = { count: 0, pct: null, ci95: null };

const isNum = (v: unknown): v is number => typeof v === 'number';
const isProportion = (p: unknown): p is Proportion => {
  const x = p as Proportion | null;
  return !!x && isNum(x.count) && isNum(x.pct) && Array.isArray(x.ci95);
};

/** The parts of a change the chart does not draw (the table has them). */
const NOT_DRAWN = {
  both: 0,
  baselineOnly: 0,
  neither: 0,
  changePoints: null,
  ci95Points: null,
  direction: null,
  mcnemarP: null,
  mcnemarPText: null,
};
const words = (v: unknown): string => (typeof v === 'string' ? v : 'not published');

/** Rows that may carry "[c]" (a disclosed answer) → the rows that can be drawn. */
export function chartableRows(domains: readonly unknown[]): DomainRow[] {
  return (domains as DomainRow[])
    .filter((d) => isNum(d.n) && isProportion(d.baseline) && isProportion(d.exit))
    .map((d) => {
      const panel = d.oneYearOn;
      const drawn = !!panel && isNum(panel.n) && isProportion(panel.oneYearOn);
      return { ...d, oneYearOn: drawn ? panel : null };
    });
}

/** The cohort an outcomes table is of, by its id (`outcomes_<cohort>`). */
const cohortOf = (id: string) => COHORT_KINDS.find((k) => id === `outcomes_${k}`);

type Table = ReturnContent['sections'][number]['tables'][number];

/**
 * The return's outcomes tables of planned exits and of all who started as one chart for its
 * printable page, side by side, each bar group headed by its cohort and n. Which way is better
 * comes from each table's `better` column (the domain's definition), never assumed.
 */
export function returnChartSvg(content: ReturnContent): string | undefined {
  const tables = content.sections
    .flatMap((s) => s.tables)
    .map((t) => ({ t, kind: cohortOf(t.id) }))
    .filter((x): x is { t: Table; kind: CohortKind } =>
      ['planned_exits', 'all_started'].includes(x.kind ?? ''),
    );
  // A return built before direction was data (no `better` column) cannot say which way is
  // better for each domain: it gets no chart rather than a guessed "lower is better".
  if (tables.some(({ t }) => !t.columns.some((c) => c.id === 'better'))) return undefined;
  const all = content.sections.flatMap((s) => s.tables);
  const cohorts = tables
    .map(({ t, kind }) => ({
      kind,
      families: t.rows.find((r) => r.id === 'cohort')?.values.n ?? '[c]',
      // One year on comes from the panel's own table (`<id>_one_year_on`), when the spec has one.
      domains: drawableRows(
        t,
        all.find((p) => p.id === `${t.id}_one_year_on`),
      ),
    }))
    .filter((c) => c.domains.length);
  if (!cohorts.length) return undefined;
  const r = content.return;
  return outcomesChartSvg(cohorts, {
    title: 'Outcomes: planned exits beside all who started',
    subtitle: `${r.authority ?? 'national'}, ${r.periodStart} to ${r.periodEnd} · small counts suppressed`,
    idPrefix: 'return-outcomes',
  });
}

function drawableRows(table: Table, panels: Table | undefined): DomainRow[] {
  const rows = table.rows
    .filter((r) => r.id !== 'cohort')
    .map((r): DomainRow => {
      const v = r.values;
      const point = (count: unknown, n: unknown) =>
        isNum(count) && isNum(n) && n > 0 ? proportion(count, n) : SUPPRESSED_POINT;
      const w = panels?.rows.find((x) => x.id === r.id)?.values ?? {};
      const panel =
        isNum(w.n) && w.n > 0 && isNum(w.one_year_on)
          ? {
              n: w.n,
              baseline: point(w.baseline, w.n),
              exit: point(w.exit, w.n),
              oneYearOn: proportion(w.one_year_on, w.n),
            }
          : null;
      const n = isNum(v.n) ? v.n : 0;
      return {
        id: r.id,
        label: r.label,
        lowerIsBetter: v.better === 'lower',
        status: n ? 'ok' : 'no_data',
        n,
        smallSample: v.small_sample === 'yes',
        smallSampleBelow: SMALL_SAMPLE_N,
        baseline: point(v.baseline, v.n),
        exit: point(v.exit, v.n),
        // The chart draws proportions; of the change it says only the table's words.
        change: { ...NOT_DRAWN, exitOnly: 0, text: words(v.direction) },
        relativeReductionPct: null,
        oneYearOn: panel && {
          ...panel,
          smallSample: panel.n < SMALL_SAMPLE_N,
          change: { ...NOT_DRAWN, oneYearOnOnly: 0, text: 'not drawn' },
          sustained: { improvedAtExit: 0, kept: 0, pct: null },
        },
      };
    })
    .filter((r) => r.n > 0);
  return chartableRows(rows);
}
