import { DraftTable } from './content';
import { tieMoneyToOutcomes, transitionKey } from './money-relations';

/** A cost table whose police money at exit is £10 × (improved − worsened) of one domain. */
function costTable(improved: number, worsened: number): DraftTable {
  const t: DraftTable = {
    id: 'costs',
    title: 'costs',
    cohort: '',
    columns: [],
    rows: [{ id: 'total', label: 'Total', cells: { families: { count: 20 } } }],
    lines: [],
    hidden: {},
    relations: [],
  };
  for (const period of ['at_exit', 'one_year_on'] as const) {
    t.hidden[transitionKey('costs', 'dv', period, 'improved')] = improved;
    t.hidden[transitionKey('costs', 'dv', period, 'worsened')] = worsened;
    t.relations!.push({
      terms: [
        [`costs.police.${period}`, -1n],
        [transitionKey('costs', 'dv', period, 'improved'), 1000n],
        [transitionKey('costs', 'dv', period, 'worsened'), -1000n],
      ],
    });
  }
  return t;
}

/** An outcomes table with the given columns (each a count) for the domain and the cohort's n. */
function outcomesTable(id: string, cells: Record<string, number>): DraftTable {
  const count = (v: number) => ({ count: v });
  return {
    id,
    title: id,
    cohort: '',
    columns: Object.keys(cells).map((c) => ({ id: c, label: c, unit: 'families' as const })),
    rows: [
      { id: 'cohort', label: 'cohort', cells: { n: count(20) } },
      {
        id: 'dv',
        label: 'dv',
        cells: Object.fromEntries(Object.entries(cells).map(([c, v]) => [c, count(v)])),
      },
    ],
    lines: [],
    hidden: {},
  };
}

describe('tieMoneyToOutcomes: money in the published counts, or a loud failure', () => {
  const exit = () => outcomesTable('o', { n: 20, baseline_only: 3, exit_only: 1 });
  const panel = () => outcomesTable('y', { n: 9, baseline_only: 3, one_year_on_only: 1 });

  it('rewrites each transition as the outcomes tables’ own cell', () => {
    const costs = costTable(3, 1);
    expect(tieMoneyToOutcomes(costs, exit(), panel())).toEqual(['dv']);
    expect(costs.relations).toEqual([
      {
        terms: [
          ['costs.police.at_exit', -1n],
          ['o.dv.baseline_only', 1000n],
          ['o.dv.exit_only', -1000n],
        ],
      },
      {
        terms: [
          ['costs.police.one_year_on', -1n],
          ['y.dv.baseline_only', 1000n],
          ['y.dv.one_year_on_only', -1000n],
        ],
      },
    ]);
    expect(costs.hidden).toEqual({});
    expect(costs.lines).toContainEqual({ total: 'o.cohort.n', parts: ['costs.total.families'] });
  });

  it('throws, naming the column, when the outcomes table has not the cells it reads', () => {
    // The layout before the paired table (baseline and exit only): never skipped silently.
    const old = outcomesTable('o', { n: 20, baseline: 5, exit: 3 });
    expect(() => tieMoneyToOutcomes(costTable(3, 1), old, panel())).toThrow(
      /o has no column baseline_only, exit_only/,
    );
    const noPanel = outcomesTable('y', { n: 9, baseline: 4, follow_up: 2 });
    expect(() => tieMoneyToOutcomes(costTable(3, 1), exit(), noPanel)).toThrow(
      /y has no column baseline_only, one_year_on_only/,
    );
    const noRow = exit();
    noRow.rows = noRow.rows.filter((r) => r.id !== 'dv');
    expect(() => tieMoneyToOutcomes(costTable(3, 1), noRow, panel())).toThrow(/o has no row dv/);
  });

  it('throws when a count disagrees with the calculator’s', () => {
    expect(() => tieMoneyToOutcomes(costTable(4, 1), exit(), panel())).toThrow(
      /o.dv.baseline_only is 3, the calculator's improved 4/,
    );
  });
});
