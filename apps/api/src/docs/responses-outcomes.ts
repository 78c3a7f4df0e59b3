/** The outcomes answer's schema: each cohort's table, its rows (`DomainRow`) and the attrition line. */
import { EXIT_TYPES } from '@app/domain';
import {
  BOOLEAN,
  DISCLOSURE,
  FIGURE,
  FILTERS,
  INTEGER,
  STRING,
  Schema,
  array,
  exactly,
  figures,
  object,
} from './schema-kit';

/** A text (or `[c]` under disclosure), null where there is nothing to say. */
const WORDS = { type: 'string', nullable: true };
/** A flag computed from counts: `[c]` when they are suppressed. */
const FLAG = { anyOf: [BOOLEAN, { type: 'string', enum: ['[c]'] }] };
/** A 95% interval [lower, upper], one decimal place; null without data, `[c]` under disclosure. */
const INTERVAL = {
  anyOf: [
    { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, nullable: true },
    { type: 'string', enum: ['[c]'] },
  ],
};
const PROPORTION = exactly({
  count: FIGURE,
  pct: { ...FIGURE, description: 'Percent of n, one decimal place; null when n = 0' },
  ci95: { ...INTERVAL, description: 'Wilson 95% interval, percent, one decimal place' },
});

/** The change between two points of a paired table, and what follows from it. */
const CHANGE = {
  changePoints: {
    ...FIGURE,
    description: 'Later point − baseline (exit, or one year on), percentage points, one decimal',
  },
  ci95Points: {
    ...INTERVAL,
    description: "Newcombe's hybrid score 95% interval (method 10) of changePoints",
  },
  direction: {
    anyOf: [
      { type: 'string', enum: ['improved', 'worsened', 'no_change', null], nullable: true },
      { type: 'string', enum: ['[c]'] },
    ],
  },
  text: { ...STRING, description: 'E.g. "improved by 39.0 points (95% CI 32.8 to 44.8)"' },
  mcnemarP: { ...FIGURE, description: 'Exact McNemar p, three significant figures' },
  mcnemarPText: { ...WORDS, description: '`< 0.001` below 0.001, else three decimals' },
};
const PANEL_CHANGE = exactly({
  both: FIGURE,
  baselineOnly: FIGURE,
  oneYearOnOnly: FIGURE,
  neither: FIGURE,
  ...CHANGE,
});

/** One domain of the outcomes table (`DomainRow`, libs/outcomes/src/table.ts). */
export const DOMAIN_ROW: Schema = exactly({
  id: STRING,
  label: STRING,
  lowerIsBetter: { ...BOOLEAN, description: "From the domain's definition" },
  status: { type: 'string', enum: ['ok', 'no_data'] },
  n: { ...FIGURE, description: 'Families assessed on the domain at baseline and the end point' },
  smallSample: { ...FLAG, description: 'n is below smallSampleBelow' },
  smallSampleBelow: INTEGER,
  baseline: PROPORTION,
  exit: PROPORTION,
  change: exactly({
    both: FIGURE,
    baselineOnly: FIGURE,
    exitOnly: FIGURE,
    neither: FIGURE,
    ...CHANGE,
  }),
  relativeReductionPct: {
    ...FIGURE,
    description: '(baseline − exit) / baseline, percent: only where lower is better and it fell',
  },
  oneYearOn: {
    ...exactly({
      n: FIGURE,
      smallSample: FLAG,
      baseline: PROPORTION,
      exit: PROPORTION,
      oneYearOn: PROPORTION,
      change: {
        ...PANEL_CHANGE,
        description: 'Baseline to one year on over the panel: its paired table and change',
      },
      sustained: exactly({ improvedAtExit: FIGURE, kept: FIGURE, pct: FIGURE }),
    }),
    nullable: true,
    description: 'The panel: the families of n also assessed one year on, at all three points',
  },
});

const OTHER_EXIT_TYPES = EXIT_TYPES.filter((t) => t !== 'planned');

/** One cohort's table in the outcomes answer (`CohortTable` of outcomes/queries.ts). */
const COHORT_TABLE: Schema = {
  type: 'object',
  description: "One cohort's outcomes table: its kind, its own n (`families`) and its rows.",
  required: [
    'kind',
    'description',
    'families',
    'revisited',
    'excludedForConsent',
    'endPoint',
    'domains',
  ],
  properties: {
    kind: { type: 'string', enum: ['planned_exits', 'all_started', 'all_exits'] },
    description: STRING,
    families: { ...FIGURE, description: "The cohort's families (episodes): its n." },
    revisited: {
      ...FIGURE,
      description: 'Of them, revisited one year on (revisit completed).',
    },
    excludedForConsent: {
      ...FIGURE,
      description:
        'Episodes the cohort would hold but whose family withdrew consent to evaluation: left out of every figure here.',
    },
    endPoint: {
      type: 'string',
      enum: ['exit', 'exit_or_latest'],
      description:
        'What baseline is compared with: the exit assessment, or (all who started, all exits) the exit where there is one and else the latest state.',
    },
    domains: array(DOMAIN_ROW),
  },
};

/** The attrition line (`Attrition` of libs/outcomes/src/read-model/attrition.ts). */
const ATTRITION: Schema = {
  ...exactly({
    excludedForConsent: FIGURE,
    referred: FIGURE,
    started: FIGURE,
    plannedExits: FIGURE,
    notStarted: exactly({
      total: FIGURE,
      awaitingOffer: FIGURE,
      awaitingDecision: FIGURE,
      refusedAtOffer: FIGURE,
      exited: exactly({ total: FIGURE, byType: figures(OTHER_EXIT_TYPES) }),
    }),
    startedNoPlannedExit: exactly({
      total: FIGURE,
      ongoing: FIGURE,
      refusedAtSupportPlan: FIGURE,
      refusedDuringIntervention: FIGURE,
      exited: exactly({ total: FIGURE, byType: figures(OTHER_EXIT_TYPES) }),
    }),
  }),
  description:
    'Referred → started (accepted an intervention: the all_started cohort) → planned exit (the planned_exits cohort), and where every other referral is: each in exactly one place, the places adding up to `referred`.',
};

export const OUTCOMES_TABLE: Schema = {
  ...exactly(
    {
      filters: FILTERS,
      definitions: object({ sources: array(STRING), fingerprint: STRING }),
      attrition: ATTRITION,
      cohorts: {
        ...array(COHORT_TABLE),
        minItems: 2,
        description:
          'Planned exits and every family that started (intention to treat), always both and in that order, each with its own n; all exits as well when `cohort=all_exits` is asked for.',
      },
      disclosure: DISCLOSURE,
    },
    ['filters', 'definitions', 'attrition', 'cohorts'],
  ),
  description:
    'The outcomes tables of planned exits and of all who started, side by side, beside the attrition line (JSON; with `Accept: text/csv`, a row per cohort and domain led by `cohort`, `cohort_families`, `referred`, `started`, `planned_exits`).',
};
