import { parse } from 'csv-parse/sync';
import { csvLine } from './csv';
import { filtersCell, formatFigure, pValue, pct, withContext } from './csv-output';

describe('formatFigure: the precision of every output', () => {
  it('writes percentages and means to one place, money and ratios to two, never 17 digits', () => {
    expect(pct(33.33333333333333)).toBe('33.3');
    expect(pct(75)).toBe('75.0');
    expect(pct(-547.2222222222222)).toBe('-547.2');
    expect(pct(-0.04)).toBe('0.0');
    expect(formatFigure('mean', 245.66666666666666)).toBe('245.7');
    expect(formatFigure('money', 4304.1)).toBe('4304.10');
    expect(formatFigure('ratio', 2.4912345)).toBe('2.49');
    expect(formatFigure('count', 40)).toBe('40');
  });

  it('writes p-values to three significant figures, and < 0.001 below that', () => {
    expect(pValue(0.00000763)).toBe('< 0.001');
    expect(pValue(3e-12)).toBe('< 0.001');
    expect(pValue(0.001)).toBe('0.001');
    expect(pValue(0.012345)).toBe('0.0123');
    expect(pValue(0.5)).toBe('0.5');
    expect(pValue(1)).toBe('1');
  });

  it('leaves what is not a number as it is, and null, undefined or NaN empty', () => {
    expect(pct('[c]')).toBe('[c]');
    expect(formatFigure('money', '4304.04')).toBe('4304.04');
    expect(pct(null)).toBe('');
    expect(pct(undefined)).toBe('');
    expect(pct(NaN)).toBe('');
  });

  it('keeps a formatted negative figure a number through the formula guard', () => {
    expect(csvLine([pct(-547.2222), 'x'])).toBe('-547.2,x');
  });
});

describe('withContext: what a CSV answer answers, on every row', () => {
  const records = [csvLine(['id', 'label']), csvLine(['a', 'A, "quoted"']), csvLine(['b', 'B'])];

  it('ends the header and every row with cohort, filters, as-at and position', () => {
    const csv = withContext(records, {
      cohort: 'planned_exits',
      filters: { programme: 'fip', authority: 'leeds', exitedFrom: undefined },
      asAt: '2026-12-03T16:05:00.000Z',
      position: '1234',
    });
    expect(csv.endsWith('\n')).toBe(true);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        id: 'a',
        label: 'A, "quoted"',
        cohort: 'planned_exits',
        filters: 'authority=leeds; programme=fip',
        as_at: '2026-12-03T16:05:00.000Z',
        position: '1234',
      },
      expect.objectContaining({ id: 'b', label: 'B', position: '1234' }),
    ]);
  });

  it('leaves out the cohort where an answer has none, and passes every cell through the guard', () => {
    const csv = withContext(records, {
      filters: { keyWorker: '=cmd' },
      asAt: '2026-12-03T16:05:00.000Z',
      position: '7',
    });
    expect(csv.split('\n')[0]).toBe('id,label,filters,as_at,position');
    expect(csv.split('\n')[2]).toBe('b,B,keyWorker==cmd,2026-12-03T16:05:00.000Z,7');
    expect(filtersCell({})).toBe('');
    const guarded = withContext(records, { filters: {}, asAt: '=1+1', position: '7' });
    expect(guarded.split('\n')[1]).toMatch(/,'=1\+1,7$/);
  });
});
