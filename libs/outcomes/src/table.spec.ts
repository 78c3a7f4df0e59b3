import { OutcomeDomain } from './definitions';
import { SMALL_SAMPLE_N } from './paired-change';
import { domainRow, proportion, relativeReductionPct } from './table';
import { wilson } from './statistics';
import { pairedCounts } from './testing';

const domain = (lowerIsBetter: boolean): OutcomeDomain => ({
  id: lowerIsBetter ? 'asb_4_plus' : 'no_asb',
  label: lowerIsBetter ? 'Four or more ASB problems' : 'No ASB involvement',
  lowerIsBetter,
  predicate: { assessment: 'asbTypes', op: 'count_gte', value: 4 },
  definedIn: 'test.v1',
});

const counts = pairedCounts;

describe('domainRow', () => {
  it('gives the paired table, the change in points with its interval, and the direction', () => {
    // The demo figure (see paired-change.spec.ts): 4+ ASB falls 39.0 points, 32.8–44.8.
    const row = domainRow(
      domain(true),
      counts({ both: 40, baselineOnly: 152, exitOnly: 15, neither: 144 }),
    );
    expect(row).toMatchObject({
      status: 'ok',
      n: 351,
      smallSample: false,
      smallSampleBelow: SMALL_SAMPLE_N,
      baseline: { count: 192, pct: 54.7 },
      exit: { count: 55, pct: 15.7 },
      change: {
        both: 40,
        baselineOnly: 152,
        exitOnly: 15,
        neither: 144,
        changePoints: -39,
        ci95Points: [-44.8, -32.8],
        direction: 'improved',
        text: 'improved by 39.0 points (95% CI 32.8 to 44.8)',
        mcnemarPText: '< 0.001',
      },
      // (192 − 55) / 192 = 71.35…%: lower is better and it fell.
      relativeReductionPct: 71.4,
      oneYearOn: null,
    });
    expect(row.change.mcnemarP).toBeGreaterThan(0);
    expect(row.change.mcnemarP).toBeLessThan(1e-20);
  });

  it('says "worsened" when the condition rose where lower is better, and shows no reduction', () => {
    const row = domainRow(
      domain(true),
      counts({ both: 5, baselineOnly: 2, exitOnly: 12, neither: 31 }),
    );
    expect(row.change.direction).toBe('worsened');
    expect(row.change.text).toMatch(/^worsened by 20\.0 points \(95% CI \d+\.\d to \d+\.\d\)$/);
    expect(row.relativeReductionPct).toBeNull();
  });

  it('reads a rise in a good outcome as an improvement, never a reduction below −100%', () => {
    // "No ASB involvement" from 10.1% to 65.9% of 699 (NatCen's 10% → 66%): the old output said
    // "reduction −549.3%". Now: improved by 55.8 points, and no relative reduction at all.
    const row = domainRow(
      domain(false),
      counts({ both: 60, baselineOnly: 11, exitOnly: 401, neither: 227 }),
    );
    expect(row.baseline.pct).toBe(10.2);
    expect(row.exit.pct).toBe(66);
    expect(row.change.direction).toBe('improved');
    expect(row.change.text).toMatch(/^improved by 55\.8 points/);
    expect(row.relativeReductionPct).toBeNull();
    expect(relativeReductionPct(false, 71, 461)).toBeNull();
    expect(relativeReductionPct(true, 71, 461)).toBeNull();
    // As NatCen states it where it shows: 46% to 6% is an 87% reduction; and it lies in (0, 100].
    expect(Math.round(relativeReductionPct(true, 46, 6)!)).toBe(87);
    expect(relativeReductionPct(true, 461, 71)).toBe(84.6);
    expect(relativeReductionPct(true, 10, 0)).toBe(100);
    expect(relativeReductionPct(true, 0, 0)).toBeNull();
  });

  it('says "no change" when the change is 0.0 points', () => {
    const row = domainRow(
      domain(true),
      counts({ both: 10, baselineOnly: 4, exitOnly: 4, neither: 32 }),
    );
    expect(row.change.direction).toBe('no_change');
    expect(row.change.changePoints).toBe(0);
    expect(row.change.text).toMatch(/^no change \(change 0\.0 points/);
    expect(row.relativeReductionPct).toBeNull();
  });

  it('reports no data with nulls, not 0%, CI [0, 0] and p = 1, when n = 0', () => {
    const row = domainRow(
      domain(true),
      counts({ both: 0, baselineOnly: 0, exitOnly: 0, neither: 0 }),
    );
    expect(row).toEqual({
      id: 'asb_4_plus',
      label: 'Four or more ASB problems',
      lowerIsBetter: true,
      status: 'no_data',
      n: 0,
      smallSample: true,
      smallSampleBelow: SMALL_SAMPLE_N,
      baseline: { count: 0, pct: null, ci95: null },
      exit: { count: 0, pct: null, ci95: null },
      change: {
        both: 0,
        baselineOnly: 0,
        exitOnly: 0,
        neither: 0,
        changePoints: null,
        ci95Points: null,
        direction: null,
        text: 'no data',
        mcnemarP: null,
        mcnemarPText: null,
      },
      relativeReductionPct: null,
      oneYearOn: null,
    });
  });

  it(`flags a sample under ${SMALL_SAMPLE_N} families, and states the threshold`, () => {
    const small = domainRow(
      domain(true),
      counts({ both: 2, baselineOnly: 10, exitOnly: 1, neither: 16 }),
    );
    const enough = domainRow(
      domain(true),
      counts({ both: 2, baselineOnly: 10, exitOnly: 1, neither: 17 }),
    );
    expect([small.n, small.smallSample, small.smallSampleBelow]).toEqual([29, true, 30]);
    expect([enough.n, enough.smallSample]).toEqual([30, false]);
    expect(small.change.text).toMatch(/; small sample, n = 29\)$/);
  });

  it('carries every percentage and interval limit to one decimal place', () => {
    const row = domainRow(
      domain(true),
      counts({ both: 1, baselineOnly: 2, exitOnly: 0, neither: 4 }),
    );
    const figures = [
      row.baseline.pct,
      ...row.baseline.ci95!,
      row.exit.pct,
      ...row.exit.ci95!,
      row.change.changePoints,
      ...row.change.ci95Points!,
      row.relativeReductionPct,
    ];
    for (const v of figures) expect(Math.round(v! * 10) / 10).toBe(v);
    // 3 of 7 = 42.857…% → 42.9; the Wilson limits rounded the same way.
    expect(row.baseline.pct).toBe(42.9);
    const [lo, hi] = wilson(3, 7);
    expect(row.baseline.ci95).toEqual([Math.round(1000 * lo) / 10, Math.round(1000 * hi) / 10]);
    expect(row.change.mcnemarP).toBe(0.5);
    expect(proportion(1, 3)).toEqual({ count: 1, pct: 33.3, ci95: expect.any(Array) });
  });

  it('gives one year on as a panel: the same families at baseline, exit and one year on', () => {
    const row = domainRow(
      domain(true),
      counts(
        { both: 40, baselineOnly: 152, exitOnly: 15, neither: 144 },
        {
          followUpN: 93,
          followUpBaseline: 50,
          followUpEnd: 11,
          followUp: 11,
          followUpBoth: 9,
          improvedFollowedUp: 41,
          kept: 37,
        },
      ),
    );
    expect(row.oneYearOn).toEqual({
      n: 93,
      smallSample: false,
      baseline: { count: 50, pct: 53.8, ci95: expect.any(Array) },
      exit: { count: 11, pct: 11.8, ci95: expect.any(Array) },
      oneYearOn: { count: 11, pct: 11.8, ci95: expect.any(Array) },
      // Baseline against one year on, the same 93: 9 at both, 41 at baseline only, 2 one year on
      // only: 53.8% → 11.8%, 42 points fewer (39 discordant pairs net of 93).
      change: expect.objectContaining({
        both: 9,
        baselineOnly: 41,
        oneYearOnOnly: 2,
        neither: 41,
        changePoints: -41.9,
        direction: 'improved',
        mcnemarPText: '< 0.001',
      }),
      sustained: { improvedAtExit: 41, kept: 37, pct: 90.2 },
    });
    expect(row.oneYearOn!.change.text).toMatch(/^improved by 41\.9 points \(95% CI /);
  });
});
