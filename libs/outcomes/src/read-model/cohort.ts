/**
 * The cohort rules, defined once in TypeScript and generated as SQL from the same definitions:
 * which episodes a cohort holds, its end point, the five masks every count is read from, and the
 * counts themselves (the outcomes table's and cost avoidance's transitions) as conjunctions of
 * those masks. `cohort.int-spec.ts` holds the SQL equal to the TypeScript over generated episodes.
 */
import { EpisodeOutcome, PointMasks } from '../episode-outcomes';

export type CohortKind = 'planned_exits' | 'all_exits' | 'all_started';
export const COHORT_KINDS: readonly CohortKind[] = ['planned_exits', 'all_exits', 'all_started'];

// --- Membership ---------------------------------------------------------------------------------

interface Membership {
  status?: EpisodeOutcome['status'];
  exitType?: string;
  /** Accepted an intervention (intention to treat). */
  started?: true;
}

/**
 * Every cohort is of families who started: an exit before an intervention was accepted (e.g. a
 * referral closed as "other" before any offer) is no exit from the programme, and is in no cohort.
 * A planned exit needs an accepted intervention (the decider's rule); the others say so here.
 */
const MEMBERSHIP: Record<CohortKind, Membership> = {
  planned_exits: { status: 'exited', exitType: 'planned', started: true },
  all_exits: { status: 'exited', started: true },
  all_started: { started: true },
};

/** Whether the episode meets its cohort's membership, consent aside (see `CONSENT`). */
export function eligibleFor(cohort: CohortKind, e: EpisodeOutcome): boolean {
  const m = MEMBERSHIP[cohort];
  return (
    (m.status === undefined || e.status === m.status) &&
    (m.exitType === undefined || e.exitType === m.exitType) &&
    (m.started === undefined || e.acceptedAt !== null)
  );
}

/** `eligibleFor` as a condition over `e` (constants from the code, never from a request). */
export function eligibleSql(cohort: CohortKind): string {
  const m = MEMBERSHIP[cohort];
  const clauses: string[] = [];
  if (m.status !== undefined) clauses.push(`e.status = '${m.status}'`);
  if (m.exitType !== undefined) clauses.push(`e.exit_type = '${m.exitType}'`);
  if (m.started) clauses.push('e.accepted_at IS NOT NULL');
  return clauses.length ? clauses.join(' AND ') : 'true';
}

// --- Consent ------------------------------------------------------------------------------------

/**
 * The consent rule: an episode of a family whose withdrawal of consent to evaluation stands in
 * the events folded is in no cohort and in no evaluator output (outcomes, summary, chart, cost
 * avoidance, returns, extracts); every such output counts it as `excludedForConsent` instead.
 * "From then on" is by the record: an answer as at a position before the withdrawal was recorded
 * folds events without it and still counts the family; one at or after it leaves it out. A later
 * `ConsentRecorded` for evaluation gives consent again (the domain's fold, `consentWithdrawn`).
 */
const CONSENT = { field: 'evaluationWithdrawnAt', column: 'evaluation_withdrawn_at' } as const;

export const excludedForConsent = (e: EpisodeOutcome): boolean => e[CONSENT.field] !== null;

/** `excludedForConsent` as a condition over `e`. */
export const excludedForConsentSql = `e.${CONSENT.column} IS NOT NULL`;

/**
 * The sharing rule: an episode's record leaves the authority (a record-level extract) only while
 * the family's consent to evaluation AND to data sharing stand in the events folded. Aggregate
 * outputs follow the consent rule alone; a withdrawal of data sharing keeps the family in them.
 */
export const excludedFromSharing = (e: EpisodeOutcome): boolean =>
  excludedForConsent(e) || e.dataSharingWithdrawnAt !== null;

export function inCohort(cohort: CohortKind, e: EpisodeOutcome): boolean {
  return eligibleFor(cohort, e) && !excludedForConsent(e);
}

/** `inCohort` as a condition over `e`. */
export const cohortSql = (cohort: CohortKind): string =>
  `${eligibleSql(cohort)} AND NOT (${excludedForConsentSql})`;

/** Episodes the consent rule takes out of a cohort: eligible, and excluded for consent. */
export const excludedFromCohort = (cohort: CohortKind, e: EpisodeOutcome): boolean =>
  eligibleFor(cohort, e) && excludedForConsent(e);

/** `excludedFromCohort` as a condition over `e`. */
export const excludedFromCohortSql = (cohort: CohortKind): string =>
  `${eligibleSql(cohort)} AND ${excludedForConsentSql}`;

// --- Bit expressions over an episode's point masks ---------------------------------------------

type Column =
  | 'baseline_assessed'
  | 'baseline_present'
  | 'exit_assessed'
  | 'exit_present'
  | 'latest_assessed'
  | 'latest_present'
  | 'follow_up_assessed'
  | 'follow_up_present';

const COLUMN: Record<Column, (m: PointMasks) => bigint> = {
  baseline_assessed: (m) => m.baseline.assessed,
  baseline_present: (m) => m.baseline.present,
  exit_assessed: (m) => m.exit.assessed,
  exit_present: (m) => m.exit.present,
  latest_assessed: (m) => m.latest.assessed,
  latest_present: (m) => m.latest.present,
  follow_up_assessed: (m) => m.followUp.assessed,
  follow_up_present: (m) => m.followUp.present,
};

type Bits = Column | { not: Bits } | { and: Bits[] } | { or: Bits[] };

function bitsOf(x: Bits, m: PointMasks): bigint {
  if (typeof x === 'string') return COLUMN[x](m);
  if ('not' in x) return ~bitsOf(x.not, m);
  if ('and' in x) return x.and.map((y) => bitsOf(y, m)).reduce((a, b) => a & b);
  return x.or.map((y) => bitsOf(y, m)).reduce((a, b) => a | b);
}

function bitsSql(x: Bits, nested = false): string {
  if (typeof x === 'string') return `e.${x}`;
  if ('not' in x) return `~${bitsSql(x.not, true)}`;
  const [op, parts] = 'and' in x ? [' & ', x.and] : [' | ', x.or];
  const sql = parts.map((y) => bitsSql(y, true)).join(op);
  return nested ? `(${sql})` : sql;
}

// --- The end point ------------------------------------------------------------------------------

/**
 * planned_exits compares with the exit assessment (NatCen's convention); the intention-to-treat
 * cohorts use it where there is one and otherwise the latest state (last observation carried on).
 */
const EXIT_OR_LATEST = {
  assessed: { or: ['exit_assessed', 'latest_assessed'] },
  present: { or: ['exit_present', { and: ['latest_present', { not: 'exit_assessed' }] }] },
} satisfies Record<string, Bits>;

const END: Record<CohortKind, { assessed: Bits; present: Bits }> = {
  planned_exits: { assessed: 'exit_assessed', present: 'exit_present' },
  all_exits: EXIT_OR_LATEST,
  all_started: EXIT_OR_LATEST,
};

export type EndPoint = 'exit' | 'exit_or_latest';
export const endPointOf = (cohort: CohortKind): EndPoint =>
  END[cohort] === EXIT_OR_LATEST ? 'exit_or_latest' : 'exit';

// --- The five masks -----------------------------------------------------------------------------

/**
 * One episode's masks in a cohort (bit i = domain i): `p` assessed at baseline and at the end
 * point, `bp`/`ep` present then, `fa`/`fp` assessed/present one year on.
 */
export type MaskName = 'p' | 'bp' | 'ep' | 'fa' | 'fp';
export type CohortMasks = Record<MaskName, bigint>;
export const MASK_NAMES: readonly MaskName[] = ['p', 'bp', 'ep', 'fa', 'fp'];

const MASKS = (cohort: CohortKind): Record<MaskName, Bits> => ({
  p: { and: ['baseline_assessed', END[cohort].assessed] },
  bp: 'baseline_present',
  ep: END[cohort].present,
  fa: 'follow_up_assessed',
  fp: 'follow_up_present',
});

export function cohortMasksOf(cohort: CohortKind, e: EpisodeOutcome): CohortMasks {
  const exprs = MASKS(cohort);
  return Object.fromEntries(
    MASK_NAMES.map((name) => [name, bitsOf(exprs[name], e.masks)]),
  ) as CohortMasks;
}

/** The masks as SQL over `e`, each `AS` its name. */
export const masksSql = (cohort: CohortKind): string =>
  MASK_NAMES.map((name) => `${bitsSql(MASKS(cohort)[name])} AS ${name}`).join(', ');

/** One mask as SQL over `e` (the rollup buckets each cohort's `p` and `ep`). */
export const maskSql = (cohort: CohortKind, name: MaskName): string =>
  bitsSql(MASKS(cohort)[name], true);

// --- Counts -------------------------------------------------------------------------------------

/** A conjunction of masks, `~` for the complement: the domain's bit is set in every one. */
export type Conjunction = readonly `${'' | '~'}${MaskName}`[];

/** Whether domain `bit` satisfies the conjunction in one episode's masks. */
export function holds(c: Conjunction, masks: CohortMasks, bit: number): boolean {
  const b = 1n << BigInt(bit);
  return c.every((lit) =>
    lit.startsWith('~')
      ? (masks[lit.slice(1) as MaskName] & b) === 0n
      : (masks[lit as MaskName] & b) !== 0n,
  );
}

/** `holds` as a condition over a row of masks (the constants come from the definitions). */
export const holdsSql = (c: Conjunction, bit: number): string =>
  `(${c.join(' & ')} & ${1n << BigInt(bit)}::int8) <> 0`;

/** Pairs and transitions between two points, as cost avoidance counts them. */
export interface TransitionRules {
  pairs: Conjunction;
  /** Present then, absent after. */
  improved: Conjunction;
  /** Absent then, present after. */
  worsened: Conjunction;
}

/** Baseline to end point, and baseline to one year on (that pair also needs the end point). */
export const TRANSITIONS: Record<'baselineToExit' | 'baselineToFollowUp', TransitionRules> = {
  baselineToExit: { pairs: ['p'], improved: ['p', 'bp', '~ep'], worsened: ['p', '~bp', 'ep'] },
  baselineToFollowUp: {
    pairs: ['p', 'fa'],
    improved: ['p', 'fa', 'bp', '~fp'],
    worsened: ['p', 'fa', '~bp', 'fp'],
  },
};
