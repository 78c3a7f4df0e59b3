import { familyStreamId } from '@app/domain';
import { COHORT_KINDS, DomainRow, Proportion } from '@app/outcomes';
import { generateFamilies, toNewEvents } from '@app/workload';
import { parse } from 'csv-parse/sync';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';

/**
 * Issue 15 items 1, 3 and 4 over the demo generator's families (libs/workload): one year on is a
 * panel (the same families at baseline, exit and one year on, each figure over the panel's n), the
 * paired table adds up, and no output carries a "reduction" below −100% (or any negative one).
 */

const AUTHORITY = 'panel_la';
const families = generateFamilies({
  seed: 'outcomes-panel-e2e',
  families: 500,
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
      { expectedRevision: 'no_stream' },
    );
    position = p.toString();
  }
  await h.caughtUp(position);
}, 180_000);

afterAll(() => h?.close());

/** The percentage of `count` of `n` as every output carries it: one decimal place, half away from 0. */
const pctOf = (count: number, n: number) => {
  const tenths = Number(((1000 * count) / n).toPrecision(12));
  return (Math.sign(tenths) * Math.round(Math.abs(tenths))) / 10 || 0;
};
const over = (p: Proportion, n: number) => ({ count: p.count, pct: p.pct, n });
const expected = (p: Proportion, n: number) => ({ count: p.count, pct: pctOf(p.count, n), n });

describe.each(COHORT_KINDS)('outcomes of the demo generator, cohort %s', (cohort) => {
  const get = (accept = 'application/json') =>
    h.http
      .get(`/v1/outcomes?authority=${AUTHORITY}&cohort=${cohort}`)
      .set(as('keyworker', AUTHORITY))
      .set('accept', accept)
      .expect(200);

  it('gives one year on as a panel: its baseline, exit and one-year-on figures over its own n', async () => {
    const domains = (await get()).body.domains as DomainRow[];
    const panels = domains.filter((d) => d.oneYearOn);
    // The generator follows families up: the test must have panels to look at.
    expect(panels.length).toBeGreaterThanOrEqual(5);
    for (const d of panels) {
      const p = d.oneYearOn!;
      // Each of the three figures is over the panel's n, the same families at every point.
      for (const point of [p.baseline, p.exit, p.oneYearOn]) {
        expect({ id: d.id, ...over(point, p.n) }).toEqual({ id: d.id, ...expected(point, p.n) });
      }
      // The panel is part of the n families, its counts part of theirs.
      expect(p.n).toBeLessThanOrEqual(d.n);
      expect(p.baseline.count).toBeLessThanOrEqual(d.baseline.count);
      expect(p.exit.count).toBeLessThanOrEqual(d.exit.count);
      // The panel's own paired table, baseline against one year on, adds up the same way.
      const pc = p.change;
      expect(pc.both + pc.baselineOnly + pc.oneYearOnOnly + pc.neither).toBe(p.n);
      expect([pc.both + pc.baselineOnly, pc.both + pc.oneYearOnOnly]).toEqual([
        p.baseline.count,
        p.oneYearOn.count,
      ]);
      expect(pc.changePoints).toBe(pctOf(pc.oneYearOnOnly - pc.baselineOnly, p.n));
      // Sustained is on the panel: of its families improved at exit, how many kept it.
      expect(p.sustained.kept).toBeLessThanOrEqual(p.sustained.improvedAtExit);
      const improved = d.lowerIsBetter ? p.baseline.count : p.n - p.baseline.count;
      expect(p.sustained.improvedAtExit).toBeLessThanOrEqual(improved);
    }
  });

  it('gives the paired table, adding up to n, and the change in points with its direction', async () => {
    const domains = (await get()).body.domains as DomainRow[];
    for (const d of domains) {
      const c = d.change;
      expect({ id: d.id, sum: c.both + c.baselineOnly + c.exitOnly + c.neither }).toEqual({
        id: d.id,
        sum: d.n,
      });
      if (d.status === 'no_data') {
        expect([d.baseline.pct, c.changePoints, c.mcnemarP]).toEqual([null, null, null]);
        continue;
      }
      expect(c.changePoints).toBe(pctOf(c.exitOnly - c.baselineOnly, d.n));
      const [lo, hi] = c.ci95Points!;
      expect(lo).toBeLessThanOrEqual(c.changePoints!);
      expect(hi).toBeGreaterThanOrEqual(c.changePoints!);
      const good = d.lowerIsBetter ? c.changePoints! < 0 : c.changePoints! > 0;
      expect(c.direction).toBe(c.changePoints === 0 ? 'no_change' : good ? 'improved' : 'worsened');
      expect(d.smallSample).toBe(d.n < d.smallSampleBelow);
    }
  });

  it('carries no reduction below −100%, nor any negative one, in JSON, CSV or chart', async () => {
    const domains = (await get()).body.domains as DomainRow[];
    for (const d of domains) {
      const r = d.relativeReductionPct;
      if (r === null) continue;
      expect({
        id: d.id,
        lowerIsBetter: d.lowerIsBetter,
        fell: d.exit.count < d.baseline.count,
      }).toEqual({ id: d.id, lowerIsBetter: true, fell: true });
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThanOrEqual(100);
    }
    // "No ASB involvement" rises under the generator: an improvement, with no reduction at all.
    const noAsb = domains.find((d) => d.id === 'no_asb')!;
    expect(noAsb.exit.count).toBeGreaterThan(noAsb.baseline.count);
    expect(noAsb.relativeReductionPct).toBeNull();
    expect(noAsb.change.direction).toBe('improved');

    const csv = parse((await get('text/csv')).text, { columns: true }) as Record<string, string>[];
    expect(csv).toHaveLength(domains.length);
    for (const line of csv) {
      const value = line.relative_reduction_pct;
      expect({
        id: line.id,
        ok: value === '' || (Number(value) > 0 && Number(value) <= 100),
      }).toEqual({ id: line.id, ok: true });
    }
    const svg = (
      await h.http
        .get(`/v1/outcomes/chart.svg?authority=${AUTHORITY}&cohort=${cohort}`)
        .set(as('keyworker', AUTHORITY))
        .expect(200)
    ).body.toString();
    expect(svg).not.toMatch(/reduction/i);
    expect(JSON.stringify(domains)).not.toMatch(/"relativeReduction(Pct)?":-/);
  });
});
