import { canonicalJson, sortedKeysJson } from './canonical';

describe('canonical JSON', () => {
  const value = { b: 1, a: { d: [3, { y: 2, x: 1 }], c: 'x' }, u: undefined };

  it('sorts keys at every level, leaves undefined members out, adds no whitespace', () => {
    const text = '{"a":{"c":"x","d":[3,{"x":1,"y":2}]},"b":1}';
    expect(canonicalJson(value)).toBe(text);
    expect(sortedKeysJson(value)).toBe(text);
  });

  it('writes what JSON.stringify writes, keys aside', () => {
    const cases: unknown[] = [
      { when: new Date('2025-01-01T00:00:00Z'), list: [undefined, () => 1, null], s: 'é"\n' },
      [1.5, -0, 1e21, 'x', true, null],
      'text',
      42,
    ];
    for (const c of cases) {
      expect(JSON.parse(sortedKeysJson(c))).toEqual(JSON.parse(JSON.stringify(c)));
      expect(canonicalJson(c)).toBe(sortedKeysJson(c));
    }
  });

  it('refuses a non-finite number in hashed content, writes null where values are compared', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([Infinity])).toThrow(/non-finite/);
    expect(sortedKeysJson({ a: NaN, b: [Infinity] })).toBe('{"a":null,"b":[null]}');
  });

  it('orders keys by UTF-16 code units', () => {
    expect(sortedKeysJson({ b: 1, B: 2, é: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"é":3}');
  });
});
