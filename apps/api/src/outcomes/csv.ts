import { DomainRow } from '@app/outcomes';
import { csvLine } from '@app/security/csv';
import { CsvContext, fraction, mean, pValue, pct, withContext } from '@app/security/csv-output';

/** One CSV line: the one CSV cell (`csvCell`, formula-safe) of every CSV the service writes. */
export const line = csvLine;

/** An interval's two ends; a suppressed interval ("[c]") is suppressed at both, none is empty. */
const ends = (ci: unknown): unknown[] => (Array.isArray(ci) ? ci : [ci, ci]).map(pct);

/**
 * One row per domain, the JSON's fields flattened (percentages and points to one decimal place,
 * empty where there is no data); `excluded_for_consent` on every row is the cohort's count of
 * episodes left out because the family withdrew consent to evaluation; then the answer's context
 * (`withContext`). Figures to their precision (`@app/security/csv-output`).
 */
export function outcomesCsv(
  domains: DomainRow[],
  excludedForConsent: unknown,
  context: CsvContext,
): string {
  const header = [
    'id',
    'label',
    'lower_is_better',
    'status',
    'n',
    'small_sample',
    'small_sample_below',
    'baseline_count',
    'baseline_pct',
    'baseline_ci95_lo',
    'baseline_ci95_hi',
    'exit_count',
    'exit_pct',
    'exit_ci95_lo',
    'exit_ci95_hi',
    'both',
    'baseline_only',
    'exit_only',
    'neither',
    'change_points',
    'change_ci95_lo_points',
    'change_ci95_hi_points',
    'direction',
    'change',
    'mcnemar_p',
    'mcnemar_p_text',
    'relative_reduction_pct',
    'one_year_on_n',
    'one_year_on_baseline_count',
    'one_year_on_baseline_pct',
    'one_year_on_exit_count',
    'one_year_on_exit_pct',
    'one_year_on_count',
    'one_year_on_pct',
    'one_year_on_ci95_lo',
    'one_year_on_ci95_hi',
    'one_year_on_both',
    'one_year_on_baseline_only',
    'one_year_on_only',
    'one_year_on_neither',
    'one_year_on_change_points',
    'one_year_on_change_ci95_lo_points',
    'one_year_on_change_ci95_hi_points',
    'one_year_on_direction',
    'one_year_on_change',
    'one_year_on_mcnemar_p',
    'one_year_on_mcnemar_p_text',
    'sustained_improved_at_exit',
    'sustained_kept',
    'sustained_pct',
    'excluded_for_consent',
  ];
  const rows = domains.map((d) => {
    const c = d.change;
    const panel = d.oneYearOn;
    return line([
      d.id,
      d.label,
      d.lowerIsBetter,
      d.status,
      d.n,
      d.smallSample,
      d.smallSampleBelow,
      d.baseline.count,
      pct(d.baseline.pct),
      ...ends(d.baseline.ci95),
      d.exit.count,
      pct(d.exit.pct),
      ...ends(d.exit.ci95),
      c.both,
      c.baselineOnly,
      c.exitOnly,
      c.neither,
      pct(c.changePoints),
      ...ends(c.ci95Points),
      c.direction,
      c.text,
      pValue(c.mcnemarP),
      c.mcnemarPText,
      pct(d.relativeReductionPct),
      panel?.n,
      panel?.baseline.count,
      pct(panel?.baseline.pct),
      panel?.exit.count,
      pct(panel?.exit.pct),
      panel?.oneYearOn.count,
      pct(panel?.oneYearOn.pct),
      ...ends(panel?.oneYearOn.ci95),
      panel?.change.both,
      panel?.change.baselineOnly,
      panel?.change.oneYearOnOnly,
      panel?.change.neither,
      pct(panel?.change.changePoints),
      ...ends(panel?.change.ci95Points),
      panel?.change.direction,
      panel?.change.text,
      pValue(panel?.change.mcnemarP),
      panel?.change.mcnemarPText,
      panel?.sustained.improvedAtExit,
      panel?.sustained.kept,
      pct(panel?.sustained.pct),
      excludedForConsent,
    ]);
  });
  return withContext([line(header), ...rows], context);
}

/** A summary measure to its precision, by its last key (`pct`, `mean`, `median`, `…Rate`). */
const measure = (path: string, value: unknown) => {
  const last = path.slice(path.lastIndexOf('.') + 1);
  if (last === 'pct') return pct(value);
  if (last === 'mean' || last === 'median') return mean(value);
  return /Rate$/.test(last) ? fraction(value) : value;
};

/**
 * `measure,value` rows, nested fields as dotted paths (support types by type code), then the
 * answer's context (`withContext`).
 */
export function summaryCsv(summary: object, context: CsvContext): string {
  const rows: unknown[][] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const item of value as { type: string }[])
        walk({ ...item, type: undefined }, `${path}.${item.type}`);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) walk(v, path ? `${path}.${k}` : k);
      }
    } else {
      rows.push([path, measure(path, value)]);
    }
  };
  walk(summary, '');
  return withContext([line(['measure', 'value']), ...rows.map(line)], context);
}
