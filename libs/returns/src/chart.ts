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
  outcomesChartSvg,
  proportion,
} from '@app/outcomes';
import { ReturnContent } from './content';

const isNum = (v: unknown): v is number => typeof v === 'number';
const isProportion = (p: unknown): p is Proportion => {
  const x = p as Proportion | null;
  return !!x && isNum(x.count) && isNum(x.pct) && Array.isArray(x.ci95);
};

/** Rows that may carry "[c]" (a disclosed answer) → the rows that can be drawn. */
export function chartableRows(domains: readonly unknown[]): DomainRow[] {
  return (domains as DomainRow[])
    .filter((d) => isNum(d.n) && isProportion(d.baseline) && isProportion(d.exit))
    .map((d) => ({
      ...d,
      followUp: d.followUp && isProportion(d.followUp) && isNum(d.followUp.n) ? d.followUp : null,
    }));
}

/** The cohort an outcomes table is of, by its id (`outcomes_<cohort>`). */
const cohortOf = (id: string) => COHORT_KINDS.find((k) => id === `outcomes_${k}`);

/**
 * The return's outcomes tables of planned exits and of all who started as one chart for its
 * printable page, side by side, each bar group headed by its cohort and n.
 */
export function returnChartSvg(content: ReturnContent): string | undefined {
  const tables = content.sections
    .flatMap((s) => s.tables)
    .filter((t) => t.columns.some((c) => c.id === 'exit_pct'))
    .map((t) => ({ t, kind: cohortOf(t.id) }))
    .filter((x): x is { t: (typeof x)['t']; kind: CohortKind } =>
      ['planned_exits', 'all_started'].includes(x.kind ?? ''),
    );
  const cohorts = tables
    .map(({ t, kind }) => ({
      kind,
      families: t.rows.find((r) => r.id === 'cohort')?.values.n ?? '[c]',
      domains: drawableRows(t),
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

function drawableRows(table: ReturnContent['sections'][number]['tables'][number]): DomainRow[] {
  const rows = table.rows
    .filter((r) => r.id !== 'cohort')
    .map((r) => {
      const v = r.values;
      const point = (count: unknown, n: unknown) =>
        isNum(count) && isNum(n) && n > 0 ? proportion(count, n) : '[c]';
      const followUpN = v.follow_up_n;
      return {
        id: r.id,
        label: r.label,
        lowerIsBetter: true,
        n: v.n,
        baseline: point(v.baseline, v.n),
        exit: point(v.exit, v.n),
        followUp:
          isNum(followUpN) && followUpN > 0 && isNum(v.follow_up)
            ? { n: followUpN, ...proportion(v.follow_up, followUpN) }
            : null,
        relativeReduction: null,
        mcnemarP: 1,
        sustained: null,
      };
    })
    .filter((r) => isNum(r.n) && r.n > 0);
  return chartableRows(rows);
}
