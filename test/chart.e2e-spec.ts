import { familyStreamId } from '@app/domain';
import { DomainRow } from '@app/outcomes';
import { generateFamilies, toNewEvents } from '@app/workload';
import { DOMParser, Element } from '@xmldom/xmldom';
import { readFileSync } from 'node:fs';
import { as } from './support/auth';
import { BrowserSession, boxesOf, listen, overlap, startBrowser } from './support/browser';
import { Harness, startHarness } from './support/harness';

/** The outcomes chart over HTTP: the same figures as `/v1/outcomes`, drawn. */

const AUTHORITY = 'leeds';
const families = generateFamilies({
  seed: 'chart-e2e',
  families: 400,
  authorities: [AUTHORITY],
  from: '2022-01-01',
  to: '2026-06-30',
});

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  let position = '0';
  for (const family of families) {
    const { position: p } = await h.store.append(
      familyStreamId(family.familyId),
      toNewEvents(family),
      {
        expectedRevision: 'no_stream',
      },
    );
    position = p.toString();
  }
  await h.caughtUp(position);
}, 120_000);

afterAll(() => h?.close());

interface Cohort {
  kind: string;
  families: number;
  domains: DomainRow[];
}
interface Drawn {
  cohort: Cohort;
  d: DomainRow;
}

/** What the chart draws, in its order: per domain, each cohort's row (those with pairs). */
const drawnRows = (cohorts: Cohort[]): Drawn[] =>
  cohorts[0].domains.flatMap((first) =>
    cohorts
      .map((cohort) => ({ cohort, d: cohort.domains.find((x) => x.id === first.id)! }))
      .filter(({ d }) => d.n > 0),
  );

const bars = (svg: string) => {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  return Array.from(doc.getElementsByTagName('rect')).filter(
    (r: Element) => r.getAttribute('class') === 'bar',
  );
};

describe('GET /v1/outcomes/chart.svg', () => {
  it('draws the outcomes table of the same filters, bar for bar', async () => {
    const query = `authority=${AUTHORITY}&cohort=all_exits&referredFrom=2022-01-01`;
    const table = await h.http
      .get(`/v1/outcomes?${query}`)
      .set(as('keyworker', AUTHORITY))
      .expect(200);
    const res = await h.http
      .get(`/v1/outcomes/chart.svg?${query}`)
      .set(as('keyworker', AUTHORITY))
      .expect(200)
      .expect('content-type', /^image\/svg\+xml/);
    const svg = res.text || (res.body as Buffer).toString('utf8');
    const cohorts = table.body.cohorts as Cohort[];
    // Planned exits and all who started, always, and all exits as asked.
    expect(cohorts.map((c) => c.kind)).toEqual(['planned_exits', 'all_started', 'all_exits']);
    const domains = cohorts[0].domains;
    expect(domains.length).toBeGreaterThanOrEqual(8);
    for (const c of cohorts) expect(c.families).toBeGreaterThan(50);
    expect(domains.some((d) => d.oneYearOn)).toBe(true);

    const drawn = bars(svg).map((r) => [
      r.getAttribute('data-cohort'),
      r.getAttribute('data-domain'),
      r.getAttribute('data-series'),
      Number(r.getAttribute('data-count')),
      Number(r.getAttribute('data-n')),
    ]);
    const expected = drawnRows(cohorts).flatMap(({ cohort, d }) => [
      [cohort.kind, d.id, 'baseline', d.baseline.count, d.n],
      [cohort.kind, d.id, 'exit', d.exit.count, d.n],
      // One year on: the panel's figure over the panel's n (the same families at all three).
      ...(d.oneYearOn
        ? [[cohort.kind, d.id, 'followUp', d.oneYearOn.oneYearOn.count, d.oneYearOn.n]]
        : []),
    ]);
    expect(drawn).toEqual(expected);
    // Each bar group is headed by its cohort and its n; the line is in the subtitle.
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const headings = Array.from(doc.getElementsByTagName('text'))
      .filter((t: Element) => t.getAttribute('class') === 'cohort-label')
      .map((t: Element) => t.textContent);
    const names: Record<string, string> = {
      planned_exits: 'Planned exits',
      all_started: 'All who started (intention to treat)',
      all_exits: 'All exits (planned or not)',
    };
    expect(headings).toEqual(
      domains.flatMap((first) =>
        cohorts.map((c) => {
          const d = c.domains.find((x) => x.id === first.id)!;
          return `${names[c.kind]} · n = ${d.n}${d.smallSample ? ' (small sample)' : ''}`;
        }),
      ),
    );
    const a = table.body.attrition as { referred: number; started: number; plannedExits: number };
    expect(a.started).toBe(cohorts[1].families);
    expect(svg).toContain(
      `${a.referred} referred → ${a.started} started → ${a.plannedExits} planned exits`,
    );
    expect(svg).toContain(`authority ${AUTHORITY}`);
  });

  it('refuses a bad filter as /v1/outcomes does, naming the field', async () => {
    const res = await h.http
      .get('/v1/outcomes/chart.svg?cohort=everyone')
      .set(as('keyworker', AUTHORITY))
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'cohort' });
  });
});

describe('the chart in headless Chromium', () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await startBrowser();
  }, 60_000);
  afterAll(() => browser?.close());

  it('renders every bar, whisker and label legibly, as the table says', async () => {
    const query = `authority=${AUTHORITY}&cohort=all_exits`;
    const table = await h.http
      .get(`/v1/outcomes?${query}`)
      .set(as('keyworker', AUTHORITY))
      .expect(200);
    const cohorts = table.body.cohorts as Cohort[];
    const domains = cohorts[0].domains;
    const page = await browser.open(
      `${await listen(h.app)}/v1/outcomes/chart.svg?${query}`,
      as('keyworker', AUTHORITY),
    );

    const png = await browser.screenshot(page, 'outcomes-chart');
    const image = readFileSync(png);
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    const svg = (await boxesOf(page, 'svg'))[0];
    expect(image.readUInt32BE(16)).toBe(Math.round(svg.width)); // IHDR width
    expect(image.length).toBeGreaterThan(20_000); // drawn, not a blank page

    // Bars: one per domain and time point with figures, laid out to one scale.
    const bars = await boxesOf(page, 'rect.bar');
    type Point = { pct: number; ci95: [number, number]; label: string };
    const point = (p: DomainRow['exit'], label = ''): Point => ({
      pct: p.pct!,
      ci95: p.ci95!,
      label,
    });
    const points = drawnRows(cohorts).flatMap(({ d }) => [
      point(d.baseline),
      point(d.exit),
      ...(d.oneYearOn
        ? [
            point(
              d.oneYearOn.oneYearOn,
              ` (n = ${d.oneYearOn.n}; at exit ${Math.round(d.oneYearOn.exit.pct!)}%)`,
            ),
          ]
        : []),
    ]);
    expect(bars).toHaveLength(points.length);
    const scale = bars[0].width / points[0].pct;
    bars.forEach((bar, i) => {
      expect(bar.height).toBeGreaterThan(10);
      if (points[i].pct > 0) expect(bar.width).toBeGreaterThan(0);
      expect(bar.width).toBeCloseTo(points[i].pct * scale, 0);
      expect(bar.x).toBeCloseTo(bars[0].x, 1);
    });
    // Whiskers span the interval on the same scale.
    const whiskers = await boxesOf(page, 'path.whisker');
    expect(whiskers).toHaveLength(points.length);
    whiskers.forEach((w, i) => {
      const [lo, hi] = points[i].ci95;
      expect(w.x - bars[i].x).toBeCloseTo(lo * scale, -1);
      expect(w.width).toBeGreaterThan((hi - lo) * scale - 2);
    });

    // Labels say what the table says.
    const labels = await boxesOf(page, 'text.domain-label');
    expect(labels.map((l) => l.text.replace(/\s+/g, ''))).toEqual(
      domains.map((d) => d.label.replace(/\s+/g, '')),
    );
    const values = await boxesOf(page, 'text.value');
    expect(values.map((v) => v.text)).toEqual(points.map((p) => `${Math.round(p.pct)}%${p.label}`));

    // Legible: real glyphs (non-zero boxes), at least 10 px, inside the image, none on another.
    const texts = await boxesOf(page, 'text');
    // A series name and a value per bar, a heading per cohort group, a label per domain.
    expect(texts.length).toBeGreaterThan(
      2 * points.length + cohorts.length * domains.length + domains.length,
    );
    for (const t of texts) {
      expect(t.width).toBeGreaterThan(0);
      expect(t.height).toBeGreaterThan(0);
      expect(t.fontSize).toBeGreaterThanOrEqual(10);
      expect(t.x).toBeGreaterThanOrEqual(0);
      expect(t.x + t.width).toBeLessThanOrEqual(svg.width);
    }
    const collisions = texts.flatMap((a, i) =>
      texts
        .slice(i + 1)
        .filter((b) => overlap(a, b))
        .map((b) => `${a.text} / ${b.text}`),
    );
    expect(collisions).toEqual([]);

    // Black and white: bars are grey (r = g = b) or the black-on-white hatch.
    const fills = await page.$$eval('rect.bar', (rects) =>
      rects.map((r) => r.ownerDocument.defaultView!.getComputedStyle(r).fill),
    );
    for (const fill of fills) {
      const rgb = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(fill);
      if (rgb) expect(new Set(rgb.slice(1)).size).toBe(1);
      else expect(fill).toMatch(/^url\(".*#outcomes-chart-hatch"\)$/);
    }
  }, 60_000);
});
