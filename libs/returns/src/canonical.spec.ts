import { canonicalJson, sha256 } from './canonical';

describe('canonical JSON', () => {
  it('sorts keys at every depth, keeps array order, drops undefined, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,1]},"b":1}',
    );
  });

  it('gives the same bytes (and hash) for the same value however it was built', () => {
    const x = { z: 0.1 + 0.2, y: null, x: ['é', { q: true, p: false }] };
    const y = { x: ['é', { p: false, q: true }], y: null, z: 0.30000000000000004 };
    expect(canonicalJson(x)).toBe(canonicalJson(y));
    expect(sha256(canonicalJson(x))).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256(canonicalJson(x))).not.toBe(sha256(canonicalJson({ ...y, z: 0.3 })));
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([Infinity])).toThrow(/non-finite/);
  });
});
