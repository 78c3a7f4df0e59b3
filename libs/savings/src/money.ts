/** Money and ratios on integers: pence and scaled integers, never floats. */

/** Money as a fixed 2-dp string of pounds (negative when costs rose). */
export type Money = string;

/** n / d rounded half away from zero. */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d < 0n) return roundDiv(-n, -d);
  const q = (2n * (n < 0n ? -n : n) + d) / (2n * d);
  return n < 0n ? -q : q;
}

export function formatPence(p: bigint): Money {
  const sign = p < 0n ? '-' : '';
  const a = p < 0n ? -p : p;
  return `${sign}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
}

/** A ratio of integers as a fixed-point string with `places` decimals, half away from zero. */
export function formatRatio(n: bigint, d: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  const v = roundDiv(n * scale, d);
  const sign = v < 0n ? '-' : '';
  const a = v < 0n ? -v : v;
  return `${sign}${a / scale}.${(a % scale).toString().padStart(places, '0')}`;
}

/** "-12.34" → -1234n (the inverse of `formatPence`). */
export function parsePenceString(m: Money): bigint {
  const neg = m.startsWith('-');
  const [whole, frac] = (neg ? m.slice(1) : m).split('.');
  const v = BigInt(whole) * 100n + BigInt(frac);
  return neg ? -v : v;
}
