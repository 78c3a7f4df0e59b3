/**
 * Rotherham's six Family Savings Calculator cases (seed 002, DOMAIN.md section 4) as data: what
 * the seed gives and nothing more. Each case lists its "potential negative outcomes avoided" in
 * words and one "potential saving" for the family. The seed gives NO unit cost and no split of a
 * case's saving between its outcomes, so no figure here is a price: a case's saving can only be
 * checked as the seed's total, never reproduced from unit costs (fitting six unit costs to six
 * totals would reproduce them whatever the costs were).
 */

/**
 * The calculator's outcomes named in the six cases, as data: the seed's words, and the outcome
 * domain of the ledger's definitions (natcen-2009) that records the same condition, or null
 * where no domain does (the ledger cannot count it, so cannot price it).
 */
export const ROTHERHAM_OUTCOMES: { id: string; seed: string; domain: string | null }[] = [
  { id: 'social_exclusion', seed: 'Increased social exclusion', domain: null },
  { id: 'school_absence', seed: 'School absenteeism', domain: 'persistent_absence' },
  { id: 'social_care_referral', seed: 'Social Care referral', domain: null },
  { id: 'school_exclusion', seed: 'School exclusion', domain: 'truancy_exclusion_behaviour' },
  { id: 'crime_asb', seed: 'Crime and anti-social behaviour', domain: 'asb_4_plus' },
  { id: 'looked_after', seed: 'Becoming LAC / being Looked After', domain: 'child_protection' },
  { id: 'family_breakdown', seed: 'Family breakdown', domain: null },
  { id: 'criminal_justice', seed: 'Criminal justice system', domain: null },
  { id: 'eviction', seed: 'Family eviction', domain: 'housing_enforcement' },
  { id: 'mental_health', seed: 'Mental health problems', domain: null },
  { id: 'homelessness', seed: 'Homelessness', domain: null },
  { id: 'neet', seed: 'NEET', domain: null },
  { id: 'pregnancy', seed: 'Pregnancy', domain: null },
  { id: 'exploitation', seed: 'Exploitation', domain: null },
  { id: 'substance_misuse', seed: 'Substance misuse', domain: 'drug_alcohol' },
];

export interface RotherhamCase {
  name: string;
  /** Lines of seed 002 the case's outcomes and saving are on. */
  lines: string;
  /** `ROTHERHAM_OUTCOMES` ids, as the seed lists them. */
  avoided: string[];
  /** How many children the seed says would have been looked after (1 unless it says more). */
  childrenLookedAfter?: number;
  /** The case's "potential saving" as printed (pounds, 2 dp; D is printed "£36.955,00"). */
  published: string;
}

export const ROTHERHAM_CASES: RotherhamCase[] = [
  {
    name: 'A',
    lines: '40-44',
    avoided: ['social_exclusion', 'school_absence', 'social_care_referral'],
    published: '19355.16',
  },
  {
    name: 'B',
    lines: '58-62',
    // "Becoming LAC / family breakdown": one item in the seed, two outcomes here.
    avoided: ['school_exclusion', 'crime_asb', 'looked_after', 'family_breakdown'],
    published: '49225.85',
  },
  {
    name: 'C',
    lines: '76-80',
    avoided: ['criminal_justice', 'eviction', 'school_exclusion', 'family_breakdown'],
    published: '34771.07',
  },
  { name: 'D', lines: '94-98', avoided: ['looked_after', 'mental_health'], published: '36955.00' },
  {
    name: 'E',
    lines: '112-116',
    avoided: ['homelessness', 'neet', 'pregnancy', 'exploitation', 'substance_misuse'],
    published: '87741.83',
  },
  {
    name: 'F',
    lines: '130-134',
    avoided: ['family_breakdown', 'looked_after'],
    childrenLookedAfter: 4,
    published: '61904.10',
  },
];

/** Seed 002 line 171: the six cases' total, and the average it prints (whole pounds). */
export const ROTHERHAM_TOTAL = '289953.01';
export const ROTHERHAM_AVERAGE_PRINTED = '48325';
