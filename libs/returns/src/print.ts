/**
 * A return's printable page (issue 15 item 8: it prints on A4 with every cell on the paper).
 */
import { ReturnContent, ReturnTable, displayValue, humanInstant } from './content';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );

/** A section with a table wider than this many value columns is printed on landscape pages. */
const WIDE = 7;

/**
 * Print: A4, landscape pages (`@page wide`) for a section with a wide table (its heading stays
 * with it), and every table laid out to the page's width (fixed layout, small type, headers that
 * wrap, figures that do not), so that no column runs off the paper whichever orientation the
 * printer uses. Headers repeat on each page.
 */
const STYLE = `body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}
.table{overflow-x:auto;margin-bottom:1em}
table{border-collapse:collapse}
th,td{border:1px solid #999;padding:.2em .4em;text-align:right;vertical-align:top}
thead th,tbody th{text-align:left}
thead th{font-weight:normal;font-size:.85em;hyphens:auto;overflow-wrap:break-word}
td{white-space:nowrap}
.cohort,.built{color:#555;font-size:.9em}
@page{size:A4;margin:12mm}
@page wide{size:A4 landscape}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt}
.wide{page:wide}
.table{overflow:visible}
table{width:100%;table-layout:fixed;font-size:8pt}
col.label{width:24%}
tbody th{overflow-wrap:break-word}
thead{display:table-header-group}
tr{break-inside:avoid}
h2,h3,.cohort{break-after:avoid}
figure{margin:0;break-inside:avoid}
figure svg{max-width:100%;height:auto}
}`;

function tableHtml(t: ReturnTable): string {
  const head = t.columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('');
  const body = t.rows
    .map(
      (row) =>
        `<tr><th scope="row">${esc(row.label)}</th>${t.columns
          .map((c) => `<td>${esc(displayValue(c.unit, row.values[c.id]))}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table"><h3>${esc(t.title)}</h3><p class="cohort">${esc(t.cohort)}</p>
<table><colgroup><col class="label">${t.columns.map(() => '<col>').join('')}</colgroup><thead><tr><th></th>${head}</tr></thead>
<tbody>${body}</tbody></table></div>`;
}

/**
 * A printable page: every table, then the provenance and the rule applied. `builtAt` (the
 * stored return's, not part of the content, which stays the same bytes at the same position)
 * is shown in words and as the ISO instant.
 */
export function returnHtml(
  content: ReturnContent,
  sha256: string,
  chart?: (content: ReturnContent) => string | undefined,
  builtAt?: string | null,
): string {
  const r = content.return;
  const tables = content.sections
    .map((s) => {
      const wide = s.tables.some((t) => t.columns.length > WIDE) ? ' class="wide"' : '';
      return `<section${wide}><h2>${esc(s.title)}</h2>${s.tables.map(tableHtml).join('\n')}</section>`;
    })
    .join('\n');
  const svg = chart?.(content);
  const p = content.provenance;
  const perturbation = content.disclosure.perturbation;
  const built = builtAt
    ? `<p class="built">Built ${esc(humanInstant(builtAt))} (<time datetime="${esc(builtAt)}">${esc(builtAt)}</time>), as at event-store position ${esc(p.position)}.</p>\n`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.spec)} ${esc(r.authority ?? 'national')} ${esc(r.periodStart)} to ${esc(r.periodEnd)}</title>
<style>${STYLE}</style></head>
<body><h1>${esc(content.return.title)}</h1>
<p>${r.authority === null ? 'National: <b>every authority</b>' : `Authority <b>${esc(r.authority)}</b>`}, period ${esc(r.periodStart)} to ${esc(r.periodEnd)}.</p>
${built}${svg ? `<figure>${svg}</figure>` : ''}
${tables}
<section><h2>Disclosure control</h2>${perturbation ? `<p>${esc(perturbation.text)}</p>\n` : ''}<p>${esc(content.disclosure.rule)}</p></section>
<section><h2>Provenance</h2><dl>
<dt>Spec</dt><dd>${esc(p.spec)}</dd><dt>Built at event-store position</dt><dd>${esc(p.position)}</dd>
${builtAt ? `<dt>Built</dt><dd>${esc(humanInstant(builtAt))} (${esc(builtAt)})</dd>\n` : ''}<dt>Outcome rules</dt><dd>${esc(p.outcomeRules.sources.join(', '))} (${esc(p.outcomeRules.fingerprint)})</dd>
<dt>Unit-cost table</dt><dd>${esc(p.unitCosts ?? 'none')}</dd>${p.ptable ? `<dt>Perturbation table</dt><dd>${esc(p.ptable)}</dd>` : ''}<dt>Software</dt><dd>${esc(p.software)}</dd>
<dt>Excluded: consent to evaluation withdrawn</dt><dd>${esc(p.excludedForConsent.referredInPeriod)} referred in the period, ${esc(p.excludedForConsent.exitedInPeriod)} exited in the period (left out of every table)</dd>
<dt>Content SHA-256</dt><dd><code>${esc(sha256)}</code></dd></dl></section>
</body></html>
`;
}
