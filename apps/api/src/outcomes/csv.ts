import { DomainRow } from '@app/outcomes';
import { csvLine } from '@app/security/csv';
import { CsvContext, fraction, mean, pValue, pct, withContext } from '@app/security/csv-output';

/** One CSV line: the one CSV cell (`csvCell`, formula-safe) of every CSV the service writes. */
export const line = csvLine;

/** An interval's two ends; a suppressed interval ("[c]") is suppressed at both. */
const ends = (ci: unknown): unknown[] => (Array.isArray(ci) ? ci : [ci, ci]).map(pct);

/**
 * One row per domain, the JSON's fields flattened; `excluded_for_consent` on every row is the
 * cohort's count of episodes left out because the family withdrew consent to evaluation; then
 * the answer's context (`withContext`). Figures to their precision (`@app/security/csv-output`).
 */
export function outcomesCsv(
  domains: DomainRow[],
  excludedForConsent: unknown,
  context: CsvContext,
): string {
  const header = [
    'id',
    'label',
    'n',
    'baseline_count',
    'baseline_pct',
    'baseline_ci95_lo',
    'baseline_ci95_hi',
    'exit_count',
    'exit_pct',
    'exit_ci95_lo',
    'exit_ci95_hi',
    'follow_up_n',
    'follow_up_count',
    'follow_up_pct',
    'follow_up_ci95_lo',
    'follow_up_ci95_hi',
    'relative_reduction',
    'mcnemar_p',
    'sustained_followed_up',
    'sustained_kept',
    'excluded_for_consent',
  ];
  const rows = domains.map((d) =>
    line([
      d.id,
      d.label,
      d.n,
      d.baseline.count,
      pct(d.baseline.pct),
      ...ends(d.baseline.ci95),
      d.exit.count,
      pct(d.exit.pct),
      ...ends(d.exit.ci95),
      d.followUp?.n,
      d.followUp?.count,
      pct(d.followUp?.pct),
      ...ends(d.followUp?.ci95),
      fraction(d.relativeReduction),
      pValue(d.mcnemarP),
      d.sustained?.followedUp,
      d.sustained?.kept,
      excludedForConsent,
    ]),
  );
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
