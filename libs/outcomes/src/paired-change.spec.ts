import {
  changeDirection,
  describePairedChange,
  formatOneDecimal,
  formatPValue,
  newcombePairedInterval,
  pairedChange,
  SMALL_SAMPLE_N,
} from './paired-change';

describe('newcombePairedInterval (Newcombe 1998, method 10)', () => {
  // Published: Fagerland, Lydersen & Laake (2017) "Statistical Analysis of Contingency Tables",
  // ch. 8, complete response before and after consolidation therapy (Cavo et al. 2012),
  // table [[59, 6], [16, 80]]; Newcombe square-and-add (= hybrid score) interval
  // "estimate = -0.0621 (95% CI -0.1186 to -0.0046)" and exact conditional McNemar
  // "P = 0.052479", as asserted in the R package contingencytables, tests/testthat/test-ch8.R.
  it('reproduces the published Cavo et al. (2012) interval', () => {
    const { estimate, lower, upper } = newcombePairedInterval(59, 6, 16, 80);
    expect(estimate).toBeCloseTo(-0.0621, 4);
    expect(lower).toBeCloseTo(-0.1186, 4);
    expect(upper).toBeCloseTo(-0.0046, 4);
  });

  // Published worked examples of method 10, each as its source gives it (4 or 3 decimals):
  // - Newcombe R.G. (1998) "Improved confidence intervals for the difference between binomial
  //   proportions based on paired data", Statistics in Medicine 17:2635–2650: the paper's example
  //   (a, b, c, d) = (20, 12, 2, 16), n = 50, θ = 0.2, method 10 interval 0.0562 to 0.3292 (method
  //   8, without the φ correction, gives 0.0618 to 0.3242), as reproduced in the R package ratesci
  //   (P. Laud), tests/testthat/test3.R, "example from Newcombe ... against Newcombe's method 10".
  // - Tang, Ling & Tian (2010), (8, 3, 1, 2): −0.1574 to 0.4136 (ratesci test3.R, "MOVER-wilson
  //   matches").
  // - Chang et al. (2024), (7, 25, 2, 68): 0.133 to 0.318, which ratesci test3.R shows to be
  //   Newcombe's method 10.
  it.each([
    [20, 12, 2, 16, 0.0562, 0.3292, 4],
    [8, 3, 1, 2, -0.1574, 0.4136, 4],
    [7, 25, 2, 68, 0.133, 0.318, 3],
  ])('(%i, %i, %i, %i) gives [%f, %f] as published', (a, b, c, d, lo, hi, places) => {
    const r = newcombePairedInterval(a, b, c, d);
    expect(r.estimate).toBeCloseTo((b - c) / (a + b + c + d), 12);
    expect(r.lower).toBeCloseTo(lo, places);
    expect(r.upper).toBeCloseTo(hi, places);
  });

  // Computed offline by an independent implementation (paired-change.check.py, next to this file):
  // Python 3 + SciPy, Wilson limits found by root-finding the score equation with brentq (not the
  // closed form used here), z = norm.ppf(0.975), the same φ rule. Tables are (a, b, c, d) =
  // (both, first only, second only, neither). (14, 5, 0, 22) is Altman et al. (2000) "Statistics
  // with Confidence", Table 6.2 (the worked example cited by biostatUZH::confIntPairedProportion);
  // (10, 15, 5, 20) is the example in R's diffdepprop::wilson; (1, 1, 7, 12) is Bentur et al.
  // (2009) from contingencytables; the rest exercise the φ branches and empty margins.
  it.each([
    [20, 12, 2, 16, 0.2, 0.0561564248415162, 0.329206995400119],
    [7, 25, 2, 68, 0.225490196078431, 0.13294870725839, 0.318475149665526],
    [8, 3, 1, 2, 0.142857142857143, -0.157437249540058, 0.413639417085562],
    [59, 6, 16, 80, -0.062111801242236, -0.118621195638671, -0.00462511393305074],
    [1, 1, 7, 12, -0.285714285714286, -0.506920226686069, -0.025559124164859],
    [14, 5, 0, 22, 0.121951219512195, 0.0114832413830333, 0.226492684351209],
    [10, 15, 5, 20, 0.2, 0.0258384165492713, 0.356936571659191],
    [120, 160, 23, 48, 0.39031339031339, 0.32407603875301, 0.451196179571619],
    [0, 0, 0, 9, 0, -0.29914504841963, 0.29914504841963],
    [3, 0, 0, 0, 0, -0.561497031755056, 0.561497031755056],
    [0, 4, 0, 0, 1, 0.307189735003609, 1],
    [2, 7, 1, 30, 0.15, 0.00530641133456281, 0.298862454892033],
    [5, 5, 5, 5, 0, -0.283835478801379, 0.283835478801379],
  ])('(%i, %i, %i, %i) gives %f [%f, %f] (independent Python/SciPy)', (a, b, c, d, e, l, u) => {
    const r = newcombePairedInterval(a, b, c, d);
    expect(r.estimate).toBeCloseTo(e, 10);
    expect(r.lower).toBeCloseTo(l, 8);
    expect(r.upper).toBeCloseTo(u, 8);
  });

  it('is antisymmetric: swapping the two classifications negates and mirrors the interval', () => {
    const r = newcombePairedInterval(40, 15, 152, 144);
    const s = newcombePairedInterval(40, 152, 15, 144);
    expect(s.estimate).toBeCloseTo(-r.estimate, 12);
    expect(s.lower).toBeCloseTo(-r.upper, 12);
    expect(s.upper).toBeCloseTo(-r.lower, 12);
  });

  it('always contains its estimate and stays within [-1, 1]', () => {
    for (let a = 0; a <= 4; a++)
      for (let b = 0; b <= 4; b++)
        for (let c = 0; c <= 4; c++)
          for (let d = 0; d <= 4; d++) {
            if (a + b + c + d === 0) continue;
            const r = newcombePairedInterval(a, b, c, d);
            expect(r.lower).toBeLessThanOrEqual(r.estimate + 1e-12);
            expect(r.upper).toBeGreaterThanOrEqual(r.estimate - 1e-12);
            expect(r.lower).toBeGreaterThanOrEqual(-1);
            expect(r.upper).toBeLessThanOrEqual(1);
          }
  });

  it('refuses an empty table', () => {
    expect(() => newcombePairedInterval(0, 0, 0, 0)).toThrow(/at least one pair/);
  });
});

describe('pairedChange', () => {
  // Issue 15 quotes, from an independent recomputation of the demo data, "four-or-more-ASB falls
  // 39.0 points, 95% CI 32.8–44.8 by Newcombe's method" for n = 351 planned exits, without the
  // counts. 152 resolved and 15 new flags (b − c = 137 = 39.0% of 351) reproduce it; the
  // concordant split barely moves the interval (found by search with the Python check above).
  it("reproduces the issue's demo figure: falls 39.0 points, 95% CI 32.8 to 44.8", () => {
    const r = pairedChange({ both: 40, baselineOnly: 152, exitOnly: 15, neither: 144 }, 'lower');
    if (r.status !== 'ok') throw new Error('expected data');
    expect(r.n).toBe(351);
    expect(formatOneDecimal(r.changePoints)).toBe('-39.0');
    expect(formatOneDecimal(r.changeCi95Points.lower)).toBe('-44.8');
    expect(formatOneDecimal(r.changeCi95Points.upper)).toBe('-32.8');
    expect(r.direction).toBe('improved');
    expect(formatOneDecimal(r.magnitudePoints)).toBe('39.0');
    expect(r.mcnemarPDisplay).toBe('< 0.001');
    expect(describePairedChange(r)).toBe('improved by 39.0 points (95% CI 32.8 to 44.8)');
  });

  it('gives proportions, change and interval for exit − baseline, matching the Cavo example', () => {
    // Exit is the first classification in Newcombe's notation: exitOnly = b = 6, baselineOnly = 16.
    const r = pairedChange({ both: 59, exitOnly: 6, baselineOnly: 16, neither: 80 }, 'higher');
    if (r.status !== 'ok') throw new Error('expected data');
    expect(r.n).toBe(161);
    expect(r.baselineCount).toBe(75);
    expect(r.exitCount).toBe(65);
    expect(r.baselinePercent).toBeCloseTo((100 * 75) / 161, 12);
    expect(r.exitPercent).toBeCloseTo((100 * 65) / 161, 12);
    expect(r.changePoints).toBeCloseTo(-6.2111801242236, 10);
    expect(r.changeCi95Points.lower).toBeCloseTo(-11.8621195638671, 8);
    expect(r.changeCi95Points.upper).toBeCloseTo(-0.462511393305074, 8);
    // Exact McNemar on (16, 6): published P = 0.052479 (contingencytables test-ch8.R).
    expect(r.mcnemarP).toBeCloseTo(0.052479, 6);
    expect(r.mcnemarPDisplay).toBe('0.052');
    // Fewer families had the good outcome at exit: a worsening, for a domain where higher is better.
    expect(r.direction).toBe('worsened');
    expect(r.magnitudePoints).toBeCloseTo(6.2111801242236, 10);
    expect(describePairedChange(r)).toBe('worsened by 6.2 points (95% CI 0.5 to 11.9)');
  });

  it('reports no data, with nulls, when no family is in the domain', () => {
    const r = pairedChange({ both: 0, baselineOnly: 0, exitOnly: 0, neither: 0 }, 'lower');
    expect(r).toEqual(
      expect.objectContaining({
        status: 'no_data',
        n: 0,
        baselinePercent: null,
        exitPercent: null,
        changePoints: null,
        changeCi95Points: null,
        mcnemarP: null,
        mcnemarPDisplay: null,
        direction: null,
        magnitudePoints: null,
        smallSample: true,
      }),
    );
    expect(describePairedChange(r)).toBe('no data');
  });

  it(`flags samples under ${SMALL_SAMPLE_N} families and says so in the sentence`, () => {
    const small = pairedChange(
      { both: 1, baselineOnly: 10, exitOnly: 2, neither: SMALL_SAMPLE_N - 14 },
      'lower',
    );
    const enough = pairedChange(
      { both: 1, baselineOnly: 10, exitOnly: 2, neither: SMALL_SAMPLE_N - 13 },
      'lower',
    );
    expect(small.n).toBe(SMALL_SAMPLE_N - 1);
    expect(small.smallSample).toBe(true);
    expect(enough.smallSample).toBe(false);
    expect(describePairedChange(small)).toMatch(/small sample, n = 29\)$/);
    expect(describePairedChange(enough)).not.toMatch(/small sample/);
  });

  it('never prints a reduction of more than 100%: a rise in a good outcome is an improvement', () => {
    // "No ASB involvement" rises from 10% to 75% of families: relative "reduction" −650%.
    const r = pairedChange({ both: 10, baselineOnly: 0, exitOnly: 65, neither: 25 }, 'higher');
    if (r.status !== 'ok') throw new Error('expected data');
    expect(r.changePoints).toBeCloseTo(65, 12);
    expect(r.direction).toBe('improved');
    expect(describePairedChange(r)).toMatch(
      /^improved by 65\.0 points \(95% CI \d+\.\d to \d+\.\d\)$/,
    );
  });

  it('says no change when the change is 0.0 at one decimal place', () => {
    const r = pairedChange({ both: 10, baselineOnly: 5, exitOnly: 5, neither: 30 }, 'lower');
    expect(r.direction).toBe('no_change');
    expect(describePairedChange(r)).toMatch(
      /^no change \(change 0\.0 points, 95% CI -\d+\.\d to \d+\.\d\)$/,
    );
    // One family in 2,500 is 0.04 points: shown as 0.0, so not called an improvement.
    expect(changeDirection(0.04, 'lower')).toBe('no_change');
    expect(changeDirection(-0.05, 'lower')).toBe('improved');
    expect(changeDirection(-0.05, 'higher')).toBe('worsened');
    expect(changeDirection(3, 'lower')).toBe('worsened');
  });

  it.each([
    [{ both: -1, baselineOnly: 0, exitOnly: 0, neither: 0 }, /both must be a whole number/],
    [
      { both: 0, baselineOnly: 1.5, exitOnly: 0, neither: 0 },
      /baselineOnly must be a whole number/,
    ],
    [{ both: 0, baselineOnly: 0, exitOnly: NaN, neither: 0 }, /exitOnly must be a whole number/],
  ])('refuses bad counts, naming the field', (counts, message) => {
    expect(() => pairedChange(counts, 'lower')).toThrow(message);
  });
});

describe('exact McNemar p, against published values', () => {
  // Fagerland, Lydersen & Laake (2013) "The McNemar test for binary matched-pairs data: mid-p and
  // asymptotic are better than exact conditional", BMC Medical Research Methodology 13:91, and
  // their book (2017) ch. 8: Bentur et al. (2009), discordant pairs 1 and 7, exact conditional
  // p = 0.0703 (= 2 · 9/256, a binomial sum checkable by hand); Cavo et al. (2012), discordant
  // pairs 6 and 16, p = 0.0525 (0.052479 in contingencytables' test-ch8.R). Newcombe (1998)'s
  // example (12, 2): 2 · 106/16384 = 0.01294 (SciPy binomtest, paired-change.check.py).
  it.each([
    [{ both: 1, baselineOnly: 1, exitOnly: 7, neither: 12 }, 0.0703125, '0.070'],
    [{ both: 59, baselineOnly: 16, exitOnly: 6, neither: 80 }, 0.052479, '0.052'],
    [{ both: 20, baselineOnly: 12, exitOnly: 2, neither: 16 }, 0.012939453125, '0.013'],
    [{ both: 7, baselineOnly: 25, exitOnly: 2, neither: 68 }, 5.64754009246826e-6, '< 0.001'],
  ])('%j gives p = %f, shown as %s', (counts, p, shown) => {
    const r = pairedChange(counts, 'lower');
    if (r.status !== 'ok') throw new Error('expected data');
    expect(r.mcnemarP / p).toBeCloseTo(1, 4);
    expect(r.mcnemarPDisplay).toBe(shown);
  });
});

describe('formatting', () => {
  it.each([
    [0.0004, '< 0.001'],
    [0.000999, '< 0.001'],
    [1e-30, '< 0.001'],
    [0, '< 0.001'],
    [0.001, '0.001'],
    [0.0524787902832031, '0.052'],
    [1, '1.000'],
  ])('p = %f is shown as %s (never 0.000)', (p, shown) => {
    expect(formatPValue(p)).toBe(shown);
  });

  it('refuses a p outside [0, 1]', () => {
    expect(() => formatPValue(1.2)).toThrow(/\[0, 1\]/);
    expect(() => formatPValue(NaN)).toThrow();
  });

  it.each([
    [39.031339031339, '39.0'],
    [-39.031339031339, '-39.0'],
    [1.45, '1.5'],
    [-1.45, '-1.5'],
    [0.05, '0.1'],
    [-0.04, '0.0'],
    [-0, '0.0'],
    [100, '100.0'],
    [2.449999, '2.4'],
  ])('%f is shown as %s', (value, shown) => {
    expect(formatOneDecimal(value)).toBe(shown);
  });
});
