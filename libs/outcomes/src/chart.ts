/**
 * The before/after table as a picture: per domain, three horizontal bars (baseline, exit, one year
 * on) with their Wilson 95% intervals as whiskers. Plain SVG text, so the API, the return's HTML
 * and a printed PDF all show the same chart without a browser-side library.
 *
 * Readable in black and white: the series differ by fill pattern (solid, hatched, light), every
 * bar is named in words beside it and carries its value, so nothing depends on colour.
 */
import { DomainRow, Proportion } from './table';

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
  domain: DomainRow,
  series: (typeof CHART_SERIES)[number],
  p: Drawn,
  n: number,
  y: number,
): string {
  const [lo, hi] = p.ci95;
  const end = x(p.pct);
  const cy = y + BAR_H / 2;
  const description =
    `${domain.label}, ${series.label}: ${p.count} of ${n} families ` +
    `(${num(p.pct)}%, 95% interval ${num(lo)}–${num(hi)}%)` +
    (series.key === 'followUp' ? panelExit(domain) : '');
  const cap = (at: number) => `M${num(at)} ${y + 2}V${y + BAR_H - 2}`;
  const whisker = `M${num(x(lo))} ${cy}H${num(x(hi))}${cap(x(lo))}${cap(x(hi))}`;
  return [
    `<g class="bar-group" data-domain="${esc(domain.id)}" data-series="${series.key}">`,
    `<text class="series-label" x="${SERIES_X}" y="${cy + 4}" text-anchor="end">${series.label}</text>`,
    `<rect class="bar" data-domain="${esc(domain.id)}" data-series="${series.key}"`,
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

function domainGroup(id: string, d: DomainRow, top: number): string {
  const lines = wrap(d.label);
  const note = [
    d.smallSample && d.n > 0 ? `n = ${d.n} (small sample)` : `n = ${d.n}`,
    d.lowerIsBetter ? 'lower is better' : 'higher is better',
  ].join(' · ');
  const label = [
    `<text class="domain-label" x="${LABEL_X}" y="${top + 12}" font-weight="bold">`,
    ...lines.map((l, i) => `<tspan x="${LABEL_X}" dy="${i ? 15 : 0}">${esc(l)}</tspan>`),
    `</text>`,
    `<text class="domain-note" x="${LABEL_X}" y="${top + 12 + 15 * lines.length}" font-size="11">${note}</text>`,
  ].join('');
  const bars = CHART_SERIES.map((s, i) => {
    const y = top + i * (BAR_H + BAR_GAP);
    if (d.n === 0 && i === 0)
      return `<text class="missing" x="${PLOT_X0 + 4}" y="${y + BAR_H - 2}">no family in this cohort has been assessed on this domain</text>`;
    if (d.n === 0) return '';
    if (s.key === 'followUp') {
      const panel = d.oneYearOn;
      if (!panel || !drawable(panel.oneYearOn))
        return (
          `<text class="series-label" x="${SERIES_X}" y="${y + BAR_H - 3}" text-anchor="end">${s.label}</text>` +
          `<text class="missing" x="${PLOT_X0 + 4}" y="${y + BAR_H - 3}" font-style="italic">not yet assessed one year on</text>`
        );
      return bar(id, d, s, panel.oneYearOn, panel.n, y);
    }
    const p = d[s.key];
    return drawable(p) ? bar(id, d, s, p, d.n, y) : '';
  }).join('');
  return `<g class="domain" data-domain="${esc(d.id)}">${label}${bars}</g>`;
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
function describe(domains: readonly DomainRow[]): string {
  if (!domains.length) return 'No outcome domains to show.';
  return domains
    .map((d) => {
      if (!drawable(d.baseline) || !drawable(d.exit)) return `${d.label}: no data.`;
      const parts = [`baseline ${pctText(d.baseline.pct)}`, `exit ${pctText(d.exit.pct)}`];
      const panel = d.oneYearOn;
      parts.push(
        panel && drawable(panel.oneYearOn)
          ? `one year on ${pctText(panel.oneYearOn.pct)} (n = ${panel.n}${panelExit(d)})`
          : 'not yet assessed one year on',
      );
      return `${d.label} (n = ${d.n}): ${parts.join(', ')}; ${d.change.text}.`;
    })
    .join(' ');
}

/** The outcomes table (`DomainRow`s, as `/v1/outcomes` returns them) as an SVG document. */
export function outcomesChartSvg(
  domains: readonly DomainRow[],
  options: ChartOptions = {},
): string {
  const id = options.idPrefix ?? 'outcomes-chart';
  const title = options.title ?? 'Outcomes at baseline, exit and one year on';
  const plotTop = TOP + 8;
  const groups = domains.map((d, i) => domainGroup(id, d, plotTop + i * (GROUP_H + GROUP_GAP)));
  const plotBottom = plotTop + Math.max(1, domains.length) * (GROUP_H + GROUP_GAP) - GROUP_GAP / 2;
  const height = plotBottom + AXIS_H + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc"`,
    ` width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}"`,
    ` font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="13" fill="#000">`,
    `<title id="${id}-title">${esc(title)}</title>`,
    `<desc id="${id}-desc">${esc(describe(domains))}</desc>`,
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
