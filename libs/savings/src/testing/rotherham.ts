/**
 * A worked check of the calculator's arithmetic against Rotherham's six Family Savings Calculator
 * cases (DOMAIN.md section 4, seed 002). The seed gives each case's total and the "potential
 * negative outcomes avoided", not the unit costs behind them, so the costs below are chosen to
 * reproduce the published totals: they check the arithmetic, they are not a source of prices.
 */
import { EpisodeMasks } from '../calculator';

const row = (outcome: string, cost: string, agency: string, unit = 'occurrence') => ({
  outcome,
  label: outcome.replace(/_/g, ' '),
  unit,
  cost,
  agency,
  priceYear: 2010,
  source: 'Rotherham worked check: chosen to reproduce the published case totals',
  evidence: 'indicative',
});

/** A price index with one step, to check the uplift: 2011 is 10% dearer than 2010. */
export const rotherhamIndex = {
  id: 'worked-index',
  version: 1,
  source: 'test',
  evidence: 'indicative',
  values: { '2010': '100', '2011': '110' },
};

/** `version` 2 prices a school exclusion at £13,000 instead of £12,000. */
export function rotherhamTable(version = 1) {
  return {
    id: 'rotherham-check',
    version,
    title: 'Rotherham worked check',
    priceYear: 2010,
    priceIndex: 'worked-index@1',
    rows: [
      row('social_exclusion', '5000.00', 'social_care'),
      row('school_absence', '2855.16', 'education'),
      row('social_care_referral', '11500.00', 'social_care'),
      row('school_exclusion', version === 1 ? '12000.00' : '13000.00', 'education'),
      row('crime_asb', '24225.85', 'police'),
      row('looked_after_week', '500.00', 'social_care', 'week'),
      row('criminal_justice', '6366.97', 'criminal_justice'),
      row('eviction', '6500.00', 'housing'),
      row('family_breakdown', '9904.10', 'social_care'),
      row('mental_health', '23955.00', 'health'),
      row('homelessness', '20000.00', 'housing'),
      row('neet', '30000.00', 'dwp'),
      row('pregnancy', '15000.00', 'health'),
      row('exploitation', '12741.83', 'police'),
      row('substance_misuse', '10000.00', 'health'),
    ],
    mappings: [
      ...[
        'social_exclusion',
        'school_absence',
        'social_care_referral',
        'school_exclusion',
        'crime_asb',
        'criminal_justice',
        'eviction',
        'family_breakdown',
        'mental_health',
        'homelessness',
        'neet',
        'pregnancy',
        'exploitation',
        'substance_misuse',
      ].map((d) => ({ domain: d, outcome: d, quantity: '1', rationale: 'one avoided' })),
      {
        domain: 'becoming_looked_after',
        outcome: 'looked_after_week',
        quantity: '26',
        rationale: 'one child in care for half a year',
      },
      {
        domain: 'siblings_looked_after',
        outcome: 'looked_after_week',
        quantity: '104',
        rationale: 'four children in care for half a year',
      },
    ],
  };
}

/** The outcome domains of the worked check, in bit order. */
export const ROTHERHAM_DOMAINS = [
  'social_exclusion',
  'school_absence',
  'social_care_referral',
  'school_exclusion',
  'crime_asb',
  'becoming_looked_after',
  'siblings_looked_after',
  'criminal_justice',
  'eviction',
  'family_breakdown',
  'mental_health',
  'homelessness',
  'neet',
  'pregnancy',
  'exploitation',
  'substance_misuse',
];

/** Each case's "potential negative outcomes avoided" (seed 002) and its published saving. */
export const ROTHERHAM_CASES: { name: string; avoided: string[]; published: string }[] = [
  {
    name: 'A',
    avoided: ['social_exclusion', 'school_absence', 'social_care_referral'],
    published: '19355.16',
  },
  {
    name: 'B',
    avoided: ['school_exclusion', 'crime_asb', 'becoming_looked_after'],
    published: '49225.85',
  },
  {
    name: 'C',
    avoided: ['criminal_justice', 'eviction', 'school_exclusion', 'family_breakdown'],
    published: '34771.07',
  },
  { name: 'D', avoided: ['becoming_looked_after', 'mental_health'], published: '36955.00' },
  {
    name: 'E',
    avoided: ['homelessness', 'neet', 'pregnancy', 'exploitation', 'substance_misuse'],
    published: '87741.83',
  },
  { name: 'F', avoided: ['siblings_looked_after', 'family_breakdown'], published: '61904.10' },
];

/** A case as an episode: every avoided outcome present at baseline and gone at exit. */
export function caseMasks(avoided: string[]): EpisodeMasks {
  const all = (1n << BigInt(ROTHERHAM_DOMAINS.length)) - 1n;
  const baseline = avoided.reduce((m, d) => m | (1n << BigInt(ROTHERHAM_DOMAINS.indexOf(d))), 0n);
  return { paired: all, baseline, end: 0n, followUpAssessed: 0n, followUp: 0n };
}
