import { csvCell, csvLine } from './csv';

describe('csvCell', () => {
  it('defuses text a spreadsheet would run as a formula', () => {
    for (const text of ['=HYPERLINK("x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      expect(csvCell(text).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvCell('=1+1')).toBe("'=1+1");
  });

  it('keeps numbers (negative ones too) as numbers and quotes per RFC 4180', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(2.5)).toBe('2.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
    expect(csvLine(['x', 1, undefined, 'y\nz'])).toBe('x,1,,"y\nz"');
  });

  it('keeps a number written to its precision as a number, and nothing more', () => {
    expect(csvCell('-547.2')).toBe('-547.2');
    expect(csvCell('-3')).toBe('-3');
    for (const text of ['-1-2', '-1e3', '-1.', '- 1', '-1.5+A1', '-0x1']) {
      expect(csvCell(text)).toBe(`'${text}`);
    }
  });
});
