import {
  canonicalJson,
  formatOf,
  importEventId,
  parseCsvRecord,
  parseNdjsonLine,
  uuidV5,
} from './rows';

describe('import rows', () => {
  it('reads an NDJSON line as the request, and names a line that is not JSON', () => {
    expect(parseNdjsonLine('{"familyId":"f","type":"CafCompleted"}')).toEqual({
      ok: true,
      request: { familyId: 'f', type: 'CafCompleted' },
    });
    expect(parseNdjsonLine('{"familyId":')).toEqual({
      ok: false,
      errors: [{ field: 'line', rule: 'isJson', message: 'the line is not valid JSON' }],
    });
  });

  it('reads a CSV record: empty cells are absent and data is parsed from its JSON column', () => {
    expect(
      parseCsvRecord({
        familyId: 'f',
        id: '',
        type: 'FamilyExited',
        occurredAt: '2025-03-31',
        data: '{"exitType":"planned","reasons":["goals_met"]}',
      }),
    ).toEqual({
      ok: true,
      request: {
        familyId: 'f',
        type: 'FamilyExited',
        occurredAt: '2025-03-31',
        data: { exitType: 'planned', reasons: ['goals_met'] },
      },
    });
    expect(parseCsvRecord({ familyId: 'f', data: '{oops' })).toEqual({
      ok: false,
      errors: [{ field: 'data', rule: 'isJson', message: 'data must be a JSON object' }],
    });
  });

  it('keeps unknown columns so validation can reject them by name', () => {
    const row = parseCsvRecord({ familyId: 'f', name: 'x' });
    expect(row.ok && row.request).toEqual({ familyId: 'f', name: 'x' });
  });

  it('tells the format from the file name', () => {
    expect(formatOf('a/b.CSV')).toBe('csv');
    expect(formatOf('b.ndjson')).toBe('ndjson');
    expect(formatOf('b.jsonl')).toBe('ndjson');
    expect(formatOf('b.txt')).toBeUndefined();
  });

  it('writes canonical JSON whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('makes RFC 4122 version 5 ids', () => {
    // The RFC's DNS namespace example, as computed by other implementations.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('derives event ids from the content, not its layout, unless the row has its own', () => {
    const data = { occurredAt: '2025-01-01T00:00:00.000Z', a: 1, b: 2 };
    const reordered = { b: 2, occurredAt: '2025-01-01T00:00:00.000Z', a: 1 };
    const id = importEventId('fam', { type: 'T', data });
    expect(importEventId('fam', { type: 'T', data: reordered })).toBe(id);
    expect(importEventId('other', { type: 'T', data })).not.toBe(id);
    expect(importEventId('fam', { type: 'T', data: { ...data, a: 3 } })).not.toBe(id);
    expect(importEventId('fam', { type: 'T', data }, 'row-id')).toBe('row-id');
    // Identical rows stay distinct events, numbered in file order.
    const second = importEventId('fam', { type: 'T', data }, undefined, 1);
    expect(second).not.toBe(id);
    expect(importEventId('fam', { type: 'T', data: reordered }, undefined, 1)).toBe(second);
  });
});
