import { AGENCIES, programmeCostText } from '@app/savings';
import { CsvContext, withContext } from '@app/security/csv-output';
import { line } from '../outcomes/csv';
import { SavingsAnswer } from './queries';

const HEADER = [
  'section',
  'agency',
  'outcome',
  'unit',
  'cost',
  'price_year',
  'uplift_factor',
  'uplifted_cost',
  'deadweight_pct',
  'attribution_pct',
  'units_avoided_baseline_to_exit',
  'units_avoided_baseline_to_follow_up',
  'figures_are',
  'baseline_to_exit',
  'baseline_to_follow_up',
  'net_baseline_to_exit',
  'net_baseline_to_follow_up',
  'unit_cost_table',
  'target_price_year',
  'deflator',
  'excluded_for_consent',
  'note',
];

/**
 * One row per costed outcome, then one per agency, the total, per family, the programme cost and
 * the return on spend (the JSON's figures, flattened). `figures_are` says what each row's values
 * are (pounds, gross; or £ per £1); the net columns are filled only when the unit-cost table
 * gives deadweight or attribution. Every row names the table, the price year and the deflator
 * with its status, so a row read alone is not misread, and how many of the cohort's episodes were
 * left out because the family withdrew consent to evaluation; then the answer's context
 * (`withContext`: cohort, filters, as at, position).
 */
export function savingsCsv(r: SavingsAnswer, context: CsvContext): string {
  const table = `${r.unitCostTable.id}@${r.unitCostTable.version}`;
  const deflator = r.priceBasis.deflator.status;
  // section … units_avoided_baseline_to_follow_up: 12 cells; the figures: 5; the note last.
  const row = (first: unknown[], figures: unknown[], note = '') =>
    line([
      ...first,
      ...blank(12 - first.length),
      ...figures,
      ...blank(5 - figures.length),
      table,
      r.targetPriceYear,
      deflator,
      r.excludedForConsent,
      note,
    ]);
  const net = r.net;
  const netAgency = (agency: string) => net?.perAgency.find((a) => a.agency === agency);
  const money = 'gbp, gross';
  return withContext(
    [
      line(HEADER),
      ...r.perOutcome.map((l) =>
        row(
          [
            'outcome',
            l.agency,
            l.outcome,
            l.unit,
            l.cost,
            l.priceYear,
            l.upliftFactor,
            l.upliftedCost,
            l.deadweight ?? '',
            l.attribution ?? '',
            l.unitsAvoided.baselineToExit,
            l.unitsAvoided.baselineToFollowUp,
          ],
          [
            money,
            l.baselineToExit,
            l.baselineToFollowUp,
            ...(net ? [l.net.baselineToExit, l.net.baselineToFollowUp] : []),
          ],
        ),
      ),
      ...AGENCIES.map((a) => r.perAgency.find((p) => p.agency === a)!).map((a) =>
        row(
          ['agency', a.agency],
          [
            money,
            a.baselineToExit,
            a.baselineToFollowUp,
            ...(net
              ? [netAgency(a.agency)!.baselineToExit, netAgency(a.agency)!.baselineToFollowUp]
              : []),
          ],
        ),
      ),
      row(
        ['total'],
        [
          money,
          r.total.baselineToExit,
          r.total.baselineToFollowUp,
          ...(net ? [net.total.baselineToExit, net.total.baselineToFollowUp] : []),
        ],
        [r.grossStatement, net?.statement].filter(Boolean).join(' '),
      ),
      row(
        ['per_family'],
        [
          money,
          r.perFamily.baselineToExit,
          r.perFamily.baselineToFollowUp,
          ...(net ? [net.perFamily.baselineToExit, net.perFamily.baselineToFollowUp] : []),
        ],
      ),
      ...(r.programmeCost
        ? [
            row(
              ['programme_cost'],
              ['gbp, pro-rated to the window by days', r.programmeCost.amount ?? ''],
              programmeCostText(r.programmeCost),
            ),
          ]
        : []),
      ...(r.returnOnSpend
        ? [
            row(
              ['return_on_spend'],
              [
                'gbp avoided per gbp spent',
                r.returnOnSpend.baselineToExit,
                r.returnOnSpend.baselineToFollowUp,
                ...(net?.returnOnSpend
                  ? [net.returnOnSpend.baselineToExit, net.returnOnSpend.baselineToFollowUp]
                  : []),
              ],
            ),
          ]
        : []),
    ],
    context,
  );
}

const blank = (n: number) => Array.from({ length: Math.max(0, n) }, () => '');
