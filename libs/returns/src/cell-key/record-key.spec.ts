import { cellKey, KEY_SCALE, recordKey, scopedCellKey } from './record-key';

const SECRET = 'test-secret-0123456789abcdef';

describe('recordKey', () => {
  it('is permanent: the same secret and episode give the same key, every time', () => {
    expect(recordKey(SECRET, 'episode-1')).toBe(recordKey(SECRET, 'episode-1'));
    expect(recordKey(Buffer.from(SECRET), 'episode-1')).toBe(recordKey(SECRET, 'episode-1'));
  });

  it('differs between episodes and between secrets', () => {
    expect(recordKey(SECRET, 'episode-1')).not.toBe(recordKey(SECRET, 'episode-2'));
    expect(recordKey(SECRET, 'episode-1')).not.toBe(recordKey(`${SECRET}x`, 'episode-1'));
  });

  it('is a multiple of 2^-32 in [0, 1), and uniform (chi-square over 20 bins, 20,000 keys)', () => {
    const bins = new Array<number>(20).fill(0);
    let sum = 0;
    for (let k = 0; k < 20_000; k++) {
      const key = recordKey(SECRET, `episode-${k}`);
      expect(key).toBeGreaterThanOrEqual(0);
      expect(key).toBeLessThan(1);
      expect(Number.isInteger(key * KEY_SCALE)).toBe(true);
      bins[Math.floor(key * 20)] += 1;
      sum += key;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 2);
    const expected = 1000;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: the 0.999 quantile is 43.8. HMAC output is fixed for these inputs,
    // so this is a deterministic check that the key derivation is not skewed.
    expect(chi2).toBeLessThan(43.8);
  });

  it('refuses a short secret or an empty episode id', () => {
    expect(() => recordKey('short', 'episode-1')).toThrow(/at least 16 bytes/);
    expect(() => recordKey(SECRET, '')).toThrow(/episodeId must be a non-empty string/);
  });
});

describe('cellKey', () => {
  it('is the sum of the record keys modulo 1, exactly', () => {
    expect(cellKey([0.75, 0.5])).toBe(0.25);
    expect(cellKey([0.5, 0.5])).toBe(0);
    expect(cellKey([])).toBe(0);
    expect(cellKey([2 ** -32, 1 - 2 ** -32])).toBe(0);
  });

  it('does not depend on the order of the records', () => {
    const keys = Array.from({ length: 500 }, (_, k) => recordKey(SECRET, `e${k}`));
    const reversed = [...keys].reverse();
    expect(cellKey(keys)).toBe(cellKey(reversed));
    // A floating-point sum taken in two orders would generally disagree in the last bits.
    const exact = keys.reduce((s, k) => (s + k * KEY_SCALE) % KEY_SCALE, 0) / KEY_SCALE;
    expect(cellKey(keys)).toBe(exact);
  });

  it('refuses values that are not record keys', () => {
    expect(() => cellKey([1])).toThrow(/multiple of 2\^-32 in \[0, 1\)/);
    expect(() => cellKey([-0.5])).toThrow(/multiple of 2\^-32/);
    expect(() => cellKey([0.1])).toThrow(/multiple of 2\^-32/);
  });

  it('scopedCellKey adds the cohort key: same cohort same key, one family more re-keys every cell', () => {
    const cell = [0.25, 0.5];
    const cohort = [0.25, 0.5, 0.125];
    const cohortKey = cellKey(cohort);
    expect(scopedCellKey(cell, cohortKey)).toBe(scopedCellKey([...cell].reverse(), cohortKey));
    expect(scopedCellKey(cell, cohortKey)).toBe(cellKey([...cell, ...cohort]));
    const grown = cellKey([...cohort, 0.0625]);
    expect(scopedCellKey(cell, grown)).not.toBe(scopedCellKey(cell, cohortKey));
  });
});
