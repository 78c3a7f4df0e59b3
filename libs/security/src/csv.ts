/** A plain decimal number, as `csv-output.ts` writes one (`-547.2`): a spreadsheet reads a number. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A CSV cell, the one definition every CSV the service writes uses (outcomes, follow-ups, savings,
 * returns). Text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) is prefixed with `'` (OWASP's CSV-injection advice); numbers stay numbers, and so does a
 * number already written to its precision (`-12.5`: a plain decimal and nothing else, see
 * `csv-output.ts`); a cell with a quote, comma or line break is quoted (RFC 4180).
 */
export const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const raw = String(v);
  const formula = /^[=+\-@\t\r]/.test(raw) && !DECIMAL.test(raw);
  const s = typeof v === 'string' && formula ? `'${raw}` : raw;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One CSV line of `values` (no line end). */
export const csvLine = (values: unknown[]): string => values.map(csvCell).join(',');
