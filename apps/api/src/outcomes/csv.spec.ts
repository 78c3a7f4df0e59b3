import { parse } from 'csv-parse/sync';
import { summaryCsv } from './csv';

const context = {
  filters: { authority: 'leeds' },
  asAt: '2026-12-03T16:05:00.000Z',
  position: '9',
};

describe('summaryCsv', () => {
  it('writes each measure to its precision and ends every row with the context', () => {
    const csv = summaryCsv(
      {
        referred: 7,
        inputs: {
          daysToPlannedExit: { n: 3, mean: 245.66666666666666, median: 245.5 },
          supportTypes: [{ type: 'key_worker', families: 1, pct: 33.33333333333333 }],
        },
        followUps: { completionRate: 0.6666666666666666, onTimeRate: null },
      },
      context,
    );
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.fromEntries(rows.map((r) => [r.measure, r.value]))).toEqual({
      referred: '7',
      'inputs.daysToPlannedExit.n': '3',
      'inputs.daysToPlannedExit.mean': '245.7',
      'inputs.daysToPlannedExit.median': '245.5',
      'inputs.supportTypes.key_worker.families': '1',
      'inputs.supportTypes.key_worker.pct': '33.3',
      'followUps.completionRate': '0.667',
      'followUps.onTimeRate': '',
    });
    expect(new Set(rows.map((r) => `${r.filters}|${r.as_at}|${r.position}`))).toEqual(
      new Set(['authority=leeds|2026-12-03T16:05:00.000Z|9']),
    );
  });
});
