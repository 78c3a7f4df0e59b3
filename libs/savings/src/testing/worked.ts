/**
 * A made-up unit-cost table for checking the calculator's arithmetic: round figures, invented
 * here, sourced from nothing and used for nothing else. Expected values in the specs are worked
 * out from these numbers independently of the calculator.
 */
const row = (outcome: string, cost: string, agency: string, unit = 'occurrence') => ({
  outcome,
  label: outcome.replace(/_/g, ' '),
  unit,
  cost,
  agency,
  priceYear: 2010,
  source: 'Invented for the arithmetic check; not a price',
  evidence: 'indicative',
});

/** A price index with one step, to check the uplift: 2011 is 10% dearer than 2010. */
export const workedIndex = {
  id: 'worked-index',
  version: 1,
  title: 'Worked index, 2010 = 100',
  source: 'test',
  evidence: 'indicative',
  values: { '2010': '100', '2011': '110' },
};

/** The outcome domains the worked table maps, in bit order. */
export const WORKED_DOMAINS = ['school', 'care', 'siblings_care', 'housing', 'asb'];
export const workedDefinitions = WORKED_DOMAINS.map((id) => ({ id, lowerIsBetter: true }));

/** `version` 2 prices an exclusion at £13,000 instead of £12,000. */
export function workedTable(version = 1) {
  return {
    id: 'worked-check',
    version,
    title: 'Worked check',
    priceYear: 2010,
    priceIndex: 'worked-index@1',
    rows: [
      row('exclusion', version === 1 ? '12000.00' : '13000.00', 'education'),
      row('care_week', '500.00', 'social_care', 'week'),
      row('eviction', '6500.00', 'housing'),
      row('police_call', '280.55', 'police'),
    ],
    mappings: [
      { domain: 'school', outcome: 'exclusion', quantity: '1', rationale: 'one avoided' },
      { domain: 'care', outcome: 'care_week', quantity: '26', rationale: 'one child, half a year' },
      {
        domain: 'siblings_care',
        outcome: 'care_week',
        quantity: '104',
        rationale: 'four children, half a year',
      },
      { domain: 'housing', outcome: 'eviction', quantity: '1', rationale: 'one avoided' },
      { domain: 'asb', outcome: 'police_call', quantity: '4', rationale: 'four calls' },
    ],
  };
}
