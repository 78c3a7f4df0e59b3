/**
 * The before/after tables as a picture: per domain, a bar group for each cohort (planned exits and
 * all who started, side by side), each headed by its cohort and its n, with three horizontal bars
 * (baseline, exit, one year on) and their Wilson 95% intervals as whiskers; a bar over another n
 * (one year on) says its n. Plain SVG text, so the API, the return's HTML and a printed PDF all
 * show the same chart without a browser-side library.
 *
 * Readable in black and white: the series differ by fill pattern (solid, hatched, light), every
 * bar is named in words beside it and carries its value, so nothing depends on colour.
 */
import { CohortKind, endPointOf } from './read-model/cohort';
import { DomainRow, Proportion } from './table';

/** One cohort's table, as the chart draws it. */
export interface ChartCohort {
  /** The cohort (`planned_exits`, `all_started`, `all_exits`), named in words on the chart. */
  kind: CohortKind;
  /** The cohort's families, or "[c]" under disclosure control. */
  families: number | string;
  domains: readonly DomainRow[];
}

/** Each cohort's name on a chart. */
export const COHORT_NAMES: Record<CohortKind, string> = {
  planned_exits: 'Planned exits',
  all_started: 'All who started (intention to treat)',
  all_exits: 'All exits (planned or not)',
};

/** The end point's name: the exit, or the latest state for a family that has not exited. */
const endLabel = (kind: CohortKind) => (endPointOf(kind) === 'exit' ? 'exit' : 'exit or latest');

export const CHART_SERIES = [
  { key: 'baseline', label: 'baseline' },
  { key: 'exit', label: 'exit' },
  { key: 'followUp', label: 'one year on' },
] as const;
export type ChartSeries = (typeof CHART_SERIES)[number]['key'];

export interface ChartOptions {
  /** The chart's accessible title, and its heading. */
  title?: string;
  /** One line under the title: the cohort, filters, "as at". */
  subtitle?: string;
  /** Prefix of element ids, so two charts can share one HTML page. */
  idPrefix?: string;
}

// Room right of a full bar for the one-year-on value and its panel's exit figure.
const WIDTH = 1040;
const LABEL_X = 12; // domain labels, left-aligned
const SERIES_X = 312; // series names, right-aligned
const PLOT_X0 = 320; // 0 %
const PLOT_W = 500; // 0 % → 100 %
const BAR_H = 14;
const BAR_GAP = 5;
const GROUP_GAP = 22;
const GROUP_H = 3 * BAR_H + 2 * BAR_GAP;
const HEADER_H = 18; // a cohort's heading above its bars
const COHORT_GAP = 10;
const COHORT_H = HEADER_H + GROUP_H;
const TOP = 96; // title, subtitle, legend
const AXIS_H = 44;
const LABEL_CHARS = 28;

const FILL: Record<ChartSeries, (id: string) => string> = {
  baseline: () => '#3a3a3a',
  exit: (id) => `url(#${id}-hatch)`,
  followUp: () => '#d4d4d4',
};

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const num = (v: number) => String(Math.round(v * 10) / 10);
const pctText = (v: number) => `${Math.round(v)}%`;
const x = (pct: number) => PLOT_X0 + (PLOT_W * Math.min(100, Math.max(0, pct))) / 100;

/** Greedy word wrap: domain labels are short phrases, three lines is plenty. */
export function wrap(text: string, width = LABEL_CHARS, maxLines = 3): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]}…`;
  return kept;
}

/** A figure that can be drawn: over at least one family, so with a percentage and an interval. */
type Drawn = Proportion & { pct: number; ci95: [number, number] };
const drawable = (p: Proportion | undefined): p is Drawn => !!p && p.pct !== null && !!p.ci95;

function bar(
  id: string,
  cohort: CohortKind,
  domain: DomainRow,
  series: { key: ChartSeries; label: string },
  p: Drawn,
  n: number,
  y: number,
): string {
  const [lo, hi] = p.ci95;
  const end = x(p.pct);
  const cy = y + BAR_H / 2;
  const description =
    `${domain.label}, ${COHORT_NAMES[cohort].toLowerCase()}, ${series.label}: ${p.count} of ${n} families ` +
    `(${num(p.pct)}%, 95% interval ${num(lo)}–${num(hi)}%)` +
    (series.key === 'followUp' ? panelExit(domain) : '');
  const cap = (at: number) => `M${num(at)} ${y + 2}V${y + BAR_H - 2}`;
  const whisker = `M${num(x(lo))} ${cy}H${num(x(hi))}${cap(x(lo))}${cap(x(hi))}`;
  return [
    `<g class="bar-group" data-cohort="${cohort}" data-domain="${esc(domain.id)}" data-series="${series.key}">`,
    `<text class="series-label" x="${SERIES_X}" y="${cy + 4}" text-anchor="end">${series.label}</text>`,
    `<rect class="bar" data-cohort="${cohort}" data-domain="${esc(domain.id)}" data-series="${series.key}"`,
    ` data-count="${p.count}" data-n="${n}" data-pct="${p.pct}" data-ci-lo="${lo}" data-ci-hi="${hi}"`,
    ` x="${PLOT_X0}" y="${y}" width="${num(end - PLOT_X0)}" height="${BAR_H}"`,
    ` fill="${FILL[series.key](id)}" stroke="#000" stroke-width="1"><title>${esc(description)}</title></rect>`,
    // A white halo under the black whisker keeps it visible where it crosses the dark bar.
    `<path class="whisker-halo" d="${whisker}" stroke="#fff" stroke-width="4" fill="none"/>`,
    `<path class="whisker" data-ci-lo="${lo}" data-ci-hi="${hi}" d="${whisker}" stroke="#000" stroke-width="1.5" fill="none"/>`,
    // One year on is over fewer families (the panel assessed then): say how many, and where the
    // same families stood at exit, so the bar is not read against the exit bar of the n above.
    `<text class="value" x="${num(Math.max(end, x(hi)) + 6)}" y="${cy + 4}">${pctText(p.pct)}${
      series.key === 'followUp' ? ` (n = ${n}${panelExit(domain, 'at exit')})` : ''
    }</text>`,
    `</g>`,
  ].join('');
}

/** "; at exit 12%": the panel's own exit figure beside its one-year-on bar (the same families). */
const panelExit = (d: DomainRow, words = 'same families at exit'): string =>
  drawable(d.oneYearOn?.exit) ? `; ${words} ${pctText(d.oneYearOn.exit.pct)}` : '';

/** A cohort's bars for one domain under a heading with the cohort and its n. */
function cohortGroup(id: string, kind: CohortKind, d: DomainRow | undefined, top: number): string {
  const name = COHORT_NAMES[kind];
  const heading = (n: string) =>
    `<text class="cohort-label" x="${PLOT_X0}" y="${top + 12}" font-weight="bold" font-size="12">${esc(
      `${name} · n = ${n}`,
    )}</text>`;
  const y0 = top + HEADER_H;
  if (!d)
    return (
      heading('[c]') +
      `<text class="missing" x="${PLOT_X0 + 4}" y="${y0 + BAR_H - 2}">not shown: small counts suppressed</text>`
    );
  if (d.n === 0)
    return (
      heading('0') +
      `<text class="missing" x="${PLOT_X0 + 4}" y="${y0 + BAR_H - 2}">no family in this cohort has been assessed on this domain</text>`
    );
  const bars = CHART_SERIES.map((s, i) => {
    const y = y0 + i * (BAR_H + BAR_GAP);
    const series = { key: s.key, label: s.key === 'exit' ? endLabel(kind) : s.label };
    if (s.key === 'followUp') {
      const panel = d.oneYearOn;
      if (!panel || !drawable(panel.oneYearOn))
        return (
          `<text class="series-label" x="${SERIES_X}" y="${y + BAR_H - 3}" text-anchor="end">${s.label}</text>` +
          `<text class="missing" x="${PLOT_X0 + 4}" y="${y + BAR_H - 3}" font-style="italic">not yet assessed one year on</text>`
        );
      return bar(id, kind, d, series, panel.oneYearOn, panel.n, y);
    }
    const p = d[s.key];
    return drawable(p) ? bar(id, kind, d, series, p, d.n, y) : '';
  }).join('');
  const n = d.smallSample ? `${d.n} (small sample)` : String(d.n);
  return `<g class="cohort" data-cohort="${kind}">${heading(n)}${bars}</g>`;
}

/** The domains in the order the cohorts give them (a suppressed domain may be missing from one). */
function domainsOf(cohorts: readonly ChartCohort[]): DomainRow[] {
  const seen = new Map<string, DomainRow>();
  for (const c of cohorts) for (const d of c.domains) if (!seen.has(d.id)) seen.set(d.id, d);
  return [...seen.values()];
}

const domainHeight = (cohorts: number) =>
  Math.max(1, cohorts) * COHORT_H + Math.max(0, cohorts - 1) * COHORT_GAP;

function domainGroup(id: string, d: DomainRow, cohorts: readonly ChartCohort[], top: number) {
  const lines = wrap(d.label);
  const note = d.lowerIsBetter ? 'lower is better' : 'higher is better';
  const label = [
    `<text class="domain-label" x="${LABEL_X}" y="${top + 12}" font-weight="bold">`,
    ...lines.map((l, i) => `<tspan x="${LABEL_X}" dy="${i ? 15 : 0}">${esc(l)}</tspan>`),
    `</text>`,
    `<text class="domain-note" x="${LABEL_X}" y="${top + 12 + 15 * lines.length}" font-size="11">${note}</text>`,
  ].join('');
  const groups = cohorts.map((c, k) =>
    cohortGroup(
      id,
      c.kind,
      c.domains.find((x) => x.id === d.id),
      top + k * (COHORT_H + COHORT_GAP),
    ),
  );
  return `<g class="domain" data-domain="${esc(d.id)}">${label}${groups.join('')}</g>`;
}

function legend(id: string): string {
  let at = PLOT_X0;
  return CHART_SERIES.map((s) => {
    const item =
      `<rect x="${at}" y="68" width="22" height="12" fill="${FILL[s.key](id)}" stroke="#000"/>` +
      `<text x="${at + 28}" y="78">${s.label}</text>`;
    at += 40 + s.label.length * 7;
    return item;
  }).join('');
}

function axis(top: number, bottom: number): string {
  const ticks = [0, 25, 50, 75, 100]
    .map(
      (t) =>
        `<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${bottom}" stroke="#999" stroke-dasharray="${t ? '2 3' : ''}"/>` +
        `<text class="tick" x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${t}%</text>`,
    )
    .join('');
  return (
    `<g class="axis" font-size="11">${ticks}` +
    `<text x="${PLOT_X0 + PLOT_W / 2}" y="${bottom + 34}" text-anchor="middle">` +
    `Families with the condition (%); whiskers: Wilson 95% interval</text></g>`
  );
}

/** A plain-words summary for screen readers (the SVG's `<desc>`). */
function describe(cohorts: readonly ChartCohort[]): string {
  const domains = domainsOf(cohorts);
  if (!domains.length) return 'No outcome domains to show.';
  const families = cohorts.map(
    (c) => `${COHORT_NAMES[c.kind].toLowerCase()}: ${c.families} families`,
  );
  return [
    `${families.join('; ')}.`,
    ...domains.map((d) => {
      const each = cohorts.map((c) => {
        const r = c.domains.find((x) => x.id === d.id);
        const name = COHORT_NAMES[c.kind].toLowerCase();
        if (!r) return `${name}: not shown (small counts suppressed)`;
        if (r.n === 0 || !drawable(r.baseline) || !drawable(r.exit))
          return `${name} (n = ${r.n}): no data`;
        const panel = r.oneYearOn;
        const parts = [
          `baseline ${pctText(r.baseline.pct)}`,
          `${endLabel(c.kind)} ${pctText(r.exit.pct)}`,
          panel && drawable(panel.oneYearOn)
            ? `one year on ${pctText(panel.oneYearOn.pct)} (n = ${panel.n}${panelExit(r)})`
            : 'not yet assessed one year on',
        ];
        return `${name} (n = ${r.n}${r.smallSample ? ', small sample' : ''}): ${parts.join(', ')}; ${r.change.text}`;
      });
      return `${d.label}: ${each.join('; ')}.`;
    }),
  ].join(' ');
}

/**
 * The outcomes tables (each cohort's `DomainRow`s, as `/v1/outcomes` returns them) as one SVG
 * document, the cohorts side by side per domain.
 */
export function outcomesChartSvg(
  cohorts: readonly ChartCohort[],
  options: ChartOptions = {},
): string {
  const id = options.idPrefix ?? 'outcomes-chart';
  const title = options.title ?? 'Outcomes at baseline, exit and one year on, by cohort';
  const plotTop = TOP + 8;
  const domains = domainsOf(cohorts);
  const step = domainHeight(cohorts.length) + GROUP_GAP;
  const groups = domains.map((d, i) => domainGroup(id, d, cohorts, plotTop + i * step));
  const plotBottom = plotTop + Math.max(1, domains.length) * step - GROUP_GAP / 2;
  const height = plotBottom + AXIS_H + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc"`,
    ` width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}"`,
    ` font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="13" fill="#000">`,
    `<title id="${id}-title">${esc(title)}</title>`,
    `<desc id="${id}-desc">${esc(describe(cohorts))}</desc>`,
    `<defs><pattern id="${id}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">`,
    `<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2.5"/>`,
    `</pattern></defs>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text class="chart-title" x="${LABEL_X}" y="26" font-size="18" font-weight="bold">${esc(title)}</text>`,
    options.subtitle
      ? `<text class="chart-subtitle" x="${LABEL_X}" y="48" font-size="12">${esc(options.subtitle)}</text>`
      : '',
    `<g class="legend">${legend(id)}</g>`,
    axis(plotTop - 6, plotBottom),
    ...groups,
    domains.length
      ? ''
      : `<text class="missing" x="${PLOT_X0 + 4}" y="${plotTop + 20}">No outcome domains to show.</text>`,
    `</svg>`,
  ].join('\n');
}
