import { mcnemarExact, wilson } from './statistics';

describe('wilson', () => {
  // Newcombe R.G. (1998) "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (score interval without
  // continuity correction), given there to 4 decimal places.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i gives [%f, %f] (Newcombe 1998, Table I)', (x, n, lo, hi) => {
    const [l, h] = wilson(x, n);
    expect(l).toBeCloseTo(lo, 4);
    expect(h).toBeCloseTo(hi, 4);
  });

  it('is symmetric: x of n mirrors n - x of n', () => {
    const [l, h] = wilson(15, 148);
    const [l2, h2] = wilson(133, 148);
    expect(l2).toBeCloseTo(1 - h, 12);
    expect(h2).toBeCloseTo(1 - l, 12);
  });

  it('gives zeros for an empty cohort', () => {
    expect(wilson(0, 0)).toEqual([0, 0]);
  });
});

describe('mcnemarExact', () => {
  // Exact binomial sums, by hand: p = 2 * sum_{i<=k} C(n, i) / 2^n.
  it.each([
    // n = 10, k = 1: 2 * (1 + 10) / 1024
    [1, 9, 22 / 1024],
    [9, 1, 22 / 1024],
    // n = 15, k = 3: 2 * (1 + 15 + 105 + 455) / 32768
    [3, 12, 1152 / 32768],
    // n = 5, k = 0: 2 / 32
    [0, 5, 2 / 32],
    // k = n / 2: the doubled tail exceeds 1 and is capped
    [5, 5, 1],
    [0, 0, 1],
  ])('b = %i, c = %i gives p = %f (hand-computed binomial sum)', (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 12);
  });

  // Larger cases checked against an exact rational computation with Python's fractions and
  // math.comb (independent of this code): 2 * sum(comb(n, i) for i <= k) / 2**n.
  it('matches exact rational values for larger samples', () => {
    expect(mcnemarExact(10, 20)).toBeCloseTo(0.09873714670538902, 12);
    const p = mcnemarExact(42, 280);
    expect(p / 2.5523850280107443e-44).toBeCloseTo(1, 9);
  });

  it('does not underflow for a national cohort', () => {
    const p = mcnemarExact(40_000, 41_000);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.001);
  });
});
