import { AGENCIES } from '@app/savings';
import { CsvContext, withContext } from '@app/security/csv-output';
import { line } from '../outcomes/csv';
import { SavingsAnswer } from './queries';

/**
 * One row per costed outcome, then one per agency and the total (the JSON's figures, flattened);
 * every row says which table and price year it is in, so a row read alone is not misread, and
 * how many of the cohort's episodes were left out because the family withdrew consent to evaluation;
 * then the answer's context (`withContext`).
 */
export function savingsCsv(r: SavingsAnswer, context: CsvContext): string {
  const table = `${r.unitCostTable.id}@${r.unitCostTable.version}`;
  const header = [
    'section',
    'agency',
    'outcome',
    'unit',
    'cost',
    'price_year',
    'uplift_factor',
    'uplifted_cost',
    'units_avoided_baseline_to_exit',
    'baseline_to_exit',
    'units_avoided_baseline_to_follow_up',
    'baseline_to_follow_up',
    'unit_cost_table',
    'target_price_year',
    'excluded_for_consent',
  ];
  const row = (cells: unknown[]) =>
    line([...cells, table, r.targetPriceYear, r.excludedForConsent]);
  const blank = (n: number) => Array.from({ length: n }, () => '');
  return withContext(
    [
      line(header),
      ...r.perOutcome.map((l) =>
        row([
          'outcome',
          l.agency,
          l.outcome,
          l.unit,
          l.cost,
          l.priceYear,
          l.upliftFactor,
          l.upliftedCost,
          l.unitsAvoided.baselineToExit,
          l.baselineToExit,
          l.unitsAvoided.baselineToFollowUp,
          l.baselineToFollowUp,
        ]),
      ),
      ...AGENCIES.map((a) => r.perAgency.find((p) => p.agency === a)!).map((a) =>
        row(['agency', a.agency, ...blank(6), '', a.baselineToExit, '', a.baselineToFollowUp]),
      ),
      row(['total', ...blank(7), '', r.total.baselineToExit, '', r.total.baselineToFollowUp]),
      row([
        'per_family',
        ...blank(7),
        '',
        r.perFamily.baselineToExit,
        '',
        r.perFamily.baselineToFollowUp,
      ]),
      ...(r.returnOnSpend
        ? [
            row([
              'return_on_spend',
              ...blank(7),
              '',
              r.returnOnSpend.baselineToExit,
              '',
              r.returnOnSpend.baselineToFollowUp,
            ]),
          ]
        : []),
    ],
    context,
  );
}
