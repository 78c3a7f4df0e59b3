import { DOMParser, Document, Element } from '@xmldom/xmldom';
import { ChartCohort, outcomesChartSvg, wrap } from './chart';
import { OutcomeDomain } from './definitions';
import { DomainCounts, DomainRow, domainRow } from './table';

/** A consistent paired table: both = baseline − presentToAbsent = end − absentToPresent. */
const counts = (over: Partial<DomainCounts>): DomainCounts => {
  const c = {
    n: 699,
    baseline: 322,
    end: 42,
    presentToAbsent: 290,
    absentToPresent: 10,
    followUpN: 120,
    followUp: 14,
    improvedFollowedUp: 50,
    kept: 44,
    followUpBaseline: 60,
    followUpEnd: 9,
    followUpBoth: 10,
    ...over,
  };
  return { ...c, both: c.baseline - c.presentToAbsent };
};

/** Only what the chart reads; the predicate plays no part in drawing. */
const domain = (id: string, label: string, lowerIsBetter: boolean): OutcomeDomain => ({
  id,
  label,
  lowerIsBetter,
  predicate: { attendance: 'rate_below', value: 0.9 },
  definedIn: 'test.v1',
});

const ROWS: DomainRow[] = [
  domainRow(domain('asb_4_plus', 'Four or more ASB problems', true), counts({})),
  domainRow(
    domain('no_asb', 'No ASB involvement', false),
    counts({
      baseline: 70,
      end: 461,
      presentToAbsent: 10,
      absentToPresent: 401,
      followUpN: 0,
      followUp: 0,
    }),
  ),
  domainRow(
    domain('dv', 'Domestic <violence> & "abuse"', true),
    counts({ baseline: 154, end: 63, presentToAbsent: 100, absentToPresent: 9 }),
  ),
];

const PLANNED: ChartCohort = { kind: 'planned_exits', families: 699, domains: ROWS };

/** Parses strictly: any XML error fails the test. */
function parse(svg: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(svg, 'image/svg+xml');
  expect(errors).toEqual([]);
  return doc;
}

const all = (doc: Document | Element, tag: string) => Array.from(doc.getElementsByTagName(tag));
const byClass = (doc: Document | Element, tag: string, cls: string) =>
  all(doc, tag).filter((e) => (e.getAttribute('class') ?? '').split(' ').includes(cls));
const bar = (doc: Document, domain: string, series: string) =>
  byClass(doc, 'rect', 'bar').find(
    (r) => r.getAttribute('data-domain') === domain && r.getAttribute('data-series') === series,
  );
const text = (e: Element | undefined) => e?.textContent ?? '';
type Series = 'baseline' | 'exit' | 'followUp';
/** Each drawn series of a row: its figure and the n it is over (one year on: the panel's). */
const points = (row: DomainRow) =>
  (
    [
      ['baseline', row.baseline, row.n],
      ['exit', row.exit, row.n],
      ['followUp', row.oneYearOn?.oneYearOn, row.oneYearOn?.n],
    ] as const
  ).flatMap(([series, p, n]) =>
    p && p.pct !== null && p.ci95
      ? [{ series: series as Series, p: { ...p, pct: p.pct, ci95: p.ci95 }, n: n! }]
      : [],
  );
const figure = (row: DomainRow, series: Series) => points(row).find((x) => x.series === series)!;

describe('outcomesChartSvg', () => {
  const doc = parse(
    outcomesChartSvg([PLANNED], { title: 'Leeds, planned exits', subtitle: '699 families' }),
  );
  const svg = doc.documentElement!;

  it('is an accessible image: role, title and a description naming every domain', () => {
    expect(svg.getAttribute('role')).toBe('img');
    const [title] = all(doc, 'title');
    expect(text(title)).toBe('Leeds, planned exits');
    const desc = all(doc, 'desc')[0];
    const labelledBy = svg.getAttribute('aria-labelledby')!.split(' ');
    expect(labelledBy).toEqual([title.getAttribute('id'), desc.getAttribute('id')]);
    expect(text(desc)).toContain('planned exits: 699 families.');
    expect(text(desc)).toContain(
      'Four or more ASB problems: planned exits (n = 699): baseline 46%, exit 6%, one year on 12% (n = 120; same families at exit 8%); improved by 40.1 points',
    );
    expect(text(desc)).toContain(
      'No ASB involvement: planned exits (n = 699): baseline 10%, exit 66%, not yet assessed one year on; improved by 55.9 points (95% CI 51.9 to 59.7)',
    );
  });

  it('draws one bar per domain and time point that has figures (none for a missing follow-up)', () => {
    const bars = byClass(doc, 'rect', 'bar');
    expect(bars).toHaveLength(3 + 2 + 3);
    expect(bar(doc, 'no_asb', 'followUp')).toBeUndefined();
    expect(text(byClass(doc, 'g', 'domain')[1])).toContain('not yet assessed one year on');
  });

  it("sizes each bar to the table's percentage on a 0–100 % axis and carries its numbers", () => {
    const zero = Number(bar(doc, 'asb_4_plus', 'baseline')!.getAttribute('x'));
    const full =
      (100 * Number(bar(doc, 'asb_4_plus', 'baseline')!.getAttribute('width'))) /
      ROWS[0].baseline.pct!;
    for (const row of ROWS) {
      for (const { series, p, n } of points(row)) {
        const rect = bar(doc, row.id, series)!;
        expect(Number(rect.getAttribute('x'))).toBe(zero);
        expect(Number(rect.getAttribute('width'))).toBeCloseTo((full * p.pct) / 100, 0);
        expect(Number(rect.getAttribute('data-count'))).toBe(p.count);
        expect(Number(rect.getAttribute('data-pct'))).toBe(p.pct);
        // The value printed beside the bar is the table's percentage, rounded as NatCen printed it.
        const group = rect.parentNode as Element;
        expect(text(byClass(group, 'text', 'value')[0])).toBe(
          series === 'followUp'
            ? `${Math.round(p.pct)}% (n = ${n}; at exit ${Math.round(row.oneYearOn!.exit.pct!)}%)`
            : `${Math.round(p.pct)}%`,
        );
        expect(text(byClass(group, 'text', 'series-label')[0])).toBe(
          { baseline: 'baseline', exit: 'exit', followUp: 'one year on' }[series],
        );
        expect(text(all(rect, 'title')[0])).toContain(`${p.count} of ${n} families`);
      }
    }
    expect(full).toBeGreaterThan(100);
  });

  it("puts the whisker ends on the table's Wilson interval", () => {
    const base = bar(doc, 'asb_4_plus', 'baseline')!;
    const zero = Number(base.getAttribute('x'));
    const scale = Number(base.getAttribute('width')) / ROWS[0].baseline.pct!;
    const whiskers = byClass(doc, 'path', 'whisker');
    expect(whiskers).toHaveLength(8);
    for (const w of whiskers) {
      const group = w.parentNode as Element;
      const row = ROWS.find((r) => r.id === group.getAttribute('data-domain'))!;
      const { p } = figure(row, group.getAttribute('data-series') as Series);
      const [lo, hi] = p.ci95;
      expect(lo).toBeLessThan(p.pct);
      expect(hi).toBeGreaterThan(p.pct);
      const [, x1, , x2] = /^M([\d.]+) ([\d.]+)H([\d.]+)/.exec(w.getAttribute('d')!)!.map(Number);
      expect(x1).toBeCloseTo(zero + lo * scale, 0);
      expect(x2).toBeCloseTo(zero + hi * scale, 0);
    }
  });

  it('tells the series apart without colour: a legend and distinct fills', () => {
    const legend = byClass(doc, 'g', 'legend')[0];
    expect(all(legend, 'text').map(text)).toEqual(['baseline', 'exit', 'one year on']);
    const fills = ['baseline', 'exit', 'followUp'].map((s) =>
      bar(doc, 'asb_4_plus', s)!.getAttribute('fill'),
    );
    expect(new Set(fills).size).toBe(3);
    expect(fills[1]).toMatch(/^url\(#.+-hatch\)$/);
    expect(all(doc, 'pattern')).toHaveLength(1);
  });

  it('escapes labels and wraps long ones', () => {
    const label = byClass(doc, 'text', 'domain-label')[2];
    expect(all(label, 'tspan').map(text)).toEqual(['Domestic <violence> &', '"abuse"']);
    expect(wrap('Persistent absence (attendance below 90% of possible sessions)')).toEqual([
      'Persistent absence',
      '(attendance below 90% of',
      'possible sessions)',
    ]);
    expect(wrap('one two three four five six', 7, 2)).toEqual(['one two', 'three…']);
  });

  it('says so instead of drawing bars for an empty cohort or no domains', () => {
    const empty = parse(
      outcomesChartSvg([
        {
          kind: 'all_started',
          families: 3,
          domains: [
            domainRow(
              domain('asb_4_plus', 'Four or more ASB problems', true),
              counts({
                n: 0,
                baseline: 0,
                end: 0,
                presentToAbsent: 0,
                absentToPresent: 0,
                followUpN: 0,
              }),
            ),
          ],
        },
      ]),
    );
    expect(byClass(empty, 'rect', 'bar')).toHaveLength(0);
    expect(text(byClass(empty, 'text', 'missing')[0])).toMatch(/no family/);
    expect(text(byClass(parse(outcomesChartSvg([])), 'text', 'missing')[0])).toBe(
      'No outcome domains to show.',
    );
  });

  it('keeps element ids apart when asked, so two charts can share a page', () => {
    const other = parse(outcomesChartSvg([PLANNED], { idPrefix: 'q4' }));
    expect(all(other, 'pattern')[0].getAttribute('id')).toBe('q4-hatch');
    expect(bar(other, 'dv', 'exit')!.getAttribute('fill')).toBe('url(#q4-hatch)');
  });

  it('puts the cohorts side by side per domain, each bar group headed by its cohort and its n', () => {
    const started: ChartCohort = {
      kind: 'all_started',
      families: 1853,
      // The intention-to-treat cohort: another n, and the fourth-or-more row suppressed.
      domains: ROWS.slice(1).map((r) => ({ ...r, n: 1790 })),
    };
    const two = parse(outcomesChartSvg([PLANNED, started]));
    const groups = byClass(two, 'g', 'domain');
    expect(groups).toHaveLength(3);
    const headings = (g: Element) => byClass(g, 'text', 'cohort-label').map(text);
    expect(headings(groups[1])).toEqual([
      'Planned exits · n = 699',
      'All who started (intention to treat) · n = 1790',
    ]);
    // A cohort missing a domain (suppressed) says so rather than leave a silent gap.
    expect(headings(groups[0])).toEqual([
      'Planned exits · n = 699',
      'All who started (intention to treat) · n = [c]',
    ]);
    expect(text(groups[0])).toContain('not shown: small counts suppressed');
    // Each cohort's bars are its own, its end point named for it.
    const exitBar = (cohort: string) =>
      byClass(two, 'rect', 'bar').find(
        (r) =>
          r.getAttribute('data-cohort') === cohort &&
          r.getAttribute('data-domain') === 'dv' &&
          r.getAttribute('data-series') === 'exit',
      )!;
    expect(exitBar('planned_exits').getAttribute('data-n')).toBe('699');
    expect(exitBar('all_started').getAttribute('data-n')).toBe('1790');
    expect(
      text(byClass(exitBar('all_started').parentNode as Element, 'text', 'series-label')[0]),
    ).toBe('exit or latest');
    const desc = text(all(two, 'desc')[0]);
    expect(desc).toContain(
      'planned exits: 699 families; all who started (intention to treat): 1853 families.',
    );
    expect(desc).toContain(
      'Four or more ASB problems: planned exits (n = 699): baseline 46%, exit 6%, one year on 12% (n = 120; same families at exit 8%); improved by 40.1 points (95% CI 36.1 to 43.9); all who started (intention to treat): not shown (small counts suppressed).',
    );
  });
});
