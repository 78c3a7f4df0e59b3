import { returnChartSvg } from './chart';
import { ReturnContent, ReturnTable } from './content';

/** A return with an outcomes table and its one-year-on panel table, as `publish` leaves them. */
function content(
  table: Partial<ReturnTable> & Pick<ReturnTable, 'rows'>,
  panel: ReturnTable['rows'] = [],
): ReturnContent {
  const cols = (ids: string[]) => ids.map((id) => ({ id, label: id, unit: 'families' as const }));
  const columns = cols(['n', 'better', 'small_sample', 'baseline', 'exit', 'direction']);
  return {
    format: 'outcomes-ledger/return/1',
    return: {
      spec: 'fip-outcomes/1',
      title: 'Test return',
      authority: 'leeds',
      periodStart: '2025-10-01',
      periodEnd: '2025-12-31',
    },
    provenance: {} as ReturnContent['provenance'],
    disclosure: { threshold: 5, symbol: '[c]', rule: '', suppressed: { primary: 0, secondary: 0 } },
    sections: [
      {
        id: 'better_off',
        title: 'Is anyone better off?',
        tables: [
          {
            id: 'outcomes_planned_exits',
            title: 'Outcomes',
            cohort: 'planned exits',
            columns,
            ...table,
          },
          {
            id: 'outcomes_planned_exits_one_year_on',
            title: 'One year on',
            cohort: 'planned exits',
            columns: cols(['n', 'baseline', 'exit', 'one_year_on']),
            rows: panel,
          },
        ],
      },
    ],
  };
}

const row = (id: string, label: string, values: Record<string, number | string | null>) => ({
  id,
  label,
  values,
});

/** The note under each domain's label ('lower is better'), by domain. */
const notes = (svg: string) =>
  Object.fromEntries(
    [
      ...svg.matchAll(
        /<g class="domain" data-domain="([^"]+)">.*?class="domain-note"[^>]*>([^<]*)</gs,
      ),
    ].map((m) => [m[1], m[2]]),
  );

describe('returnChartSvg', () => {
  it("takes which way is better from the table's `better` column, never a constant", () => {
    const svg = returnChartSvg(
      content({
        rows: [
          row('cohort', 'Families in the cohort', { n: 40 }),
          row('no_asb', 'No ASB involvement', { n: 40, better: 'higher', baseline: 4, exit: 30 }),
          row('asb_4_plus', 'Four or more ASB', { n: 40, better: 'lower', baseline: 20, exit: 6 }),
        ],
      }),
    )!;
    expect(notes(svg)).toEqual({
      no_asb: 'higher is better',
      asb_4_plus: 'lower is better',
    });
    expect(svg).not.toMatch(/reduction/);
  });

  it('flags a small sample, and draws one year on over the panel with its own exit figure', () => {
    const svg = returnChartSvg(
      content(
        {
          rows: [
            row('dv', 'Domestic violence', {
              n: 12,
              better: 'lower',
              small_sample: 'yes',
              baseline: 6,
              exit: 5,
            }),
          ],
        },
        [row('dv', 'Domestic violence', { n: 10, baseline: 6, exit: 5, one_year_on: 6 })],
      ),
    )!;
    expect(notes(svg)).toEqual({ dv: 'lower is better' });
    // The n and its small-sample flag head the cohort's bar group.
    expect(svg).toContain('Planned exits · n = 12 (small sample)');
    expect(svg).toContain('60% (n = 10; at exit 50%)');
  });

  it('leaves out a domain whose baseline or exit is suppressed', () => {
    const svg = returnChartSvg(
      content({
        rows: [
          row('a', 'A', { n: 40, better: 'lower', baseline: '[c]', exit: 8 }),
          row('b', 'B', { n: 40, better: 'lower', baseline: 10, exit: 8 }),
        ],
      }),
    )!;
    expect(Object.keys(notes(svg))).toEqual(['b']);
  });

  it('draws no chart for a return built before direction was data (no `better` column)', () => {
    const old = content({ rows: [row('a', 'A', { n: 40, baseline: 10, exit: 8 })] });
    const table = old.sections[0].tables[0];
    table.columns = table.columns.filter((c) => c.id !== 'better');
    expect(returnChartSvg(old)).toBeUndefined();
  });
});
