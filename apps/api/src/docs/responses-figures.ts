/** The answers of the figures routes: outcomes, returns, summaries, savings, costs, health. */
import { EXIT_TYPES } from '@app/domain';
import {
  DISCLOSURE,
  FIGURE,
  FILTERS,
  INTEGER,
  MONEY,
  PERIODS,
  POSITION,
  STRING,
  Schema,
  TRANSITIONS,
  UUID,
  DEPENDENCY,
  BOOLEAN,
  array,
  exactly,
  figures,
  nullable,
  object,
  page,
  ref,
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

export const FIGURE_RESPONSES: Record<string, Schema> = {
  // returns.controller.ts `view(StoredReturn)` and `create`
  Return: exactly(
    {
      id: UUID,
      authority: STRING,
      periodStart: STRING,
      periodEnd: STRING,
      spec: STRING,
      status: STRING,
      progress: { type: 'number', minimum: 0 },
      position: POSITION,
      requestedAt: STRING,
      builtAt: nullable(STRING),
      provenance: nullable({ type: 'object' }),
      error: STRING,
    },
    [
      'id',
      'authority',
      'periodStart',
      'periodEnd',
      'spec',
      'status',
      'progress',
      'position',
      'requestedAt',
      'builtAt',
      'provenance',
    ],
  ),
  ReturnPage: page('Return'),
  ReturnAccepted: exactly({
    id: UUID,
    status: { type: 'string', enum: ['pending'] },
    position: POSITION,
  }),
  // Summary (outcomes/queries.ts: CohortSummary & follow-up rates), figures under disclosure
  CohortSummary: exactly(
    {
      filters: FILTERS,
      excludedForConsent: FIGURE,
      referred: FIGURE,
      offered: FIGURE,
      accepted: FIGURE,
      accounting: exactly({
        awaitingOffer: FIGURE,
        awaitingDecision: FIGURE,
        refused: exactly({
          total: FIGURE,
          byStage: figures(['offer', 'support_plan', 'intervention']),
        }),
        ongoing: FIGURE,
        plannedExits: FIGURE,
        otherExits: exactly({
          total: FIGURE,
          byReason: figures(EXIT_TYPES.filter((t) => t !== 'planned')),
        }),
      }),
      movedArea: FIGURE,
      inputs: exactly({
        daysToPlannedExit: figures(['n', 'mean', 'median']),
        weeklyContactHours: exactly({
          supportPlanToFirstReview: figures(['n', 'mean']),
          lastReviewToExit: figures(['n', 'mean']),
        }),
        supportTypes: array(exactly({ type: STRING, families: FIGURE, pct: FIGURE })),
      }),
      followUps: { type: 'object', additionalProperties: FIGURE },
      disclosure: DISCLOSURE,
    },
    [
      'filters',
      'excludedForConsent',
      'referred',
      'offered',
      'accepted',
      'accounting',
      'movedArea',
      'inputs',
      'followUps',
    ],
  ),
  // SavingsAnswer (savings/queries.ts) and the filters
  Savings: object(
    {
      filters: FILTERS,
      unitCostTable: object({ id: STRING, version: INTEGER }),
      priceIndex: object({ id: STRING, version: INTEGER }),
      priceYear: INTEGER,
      targetPriceYear: INTEGER,
      priceBasis: object({
        priceYear: INTEGER,
        deflator: object({
          ref: STRING,
          title: STRING,
          source: STRING,
          evidence: { type: 'string', enum: ['cited', 'indicative'] },
          status: { ...STRING, description: 'The deflator named, and whether it may be relied on' },
        }),
      }),
      upliftFactor: STRING,
      families: FIGURE,
      excludedForConsent: FIGURE,
      figures: {
        type: 'string',
        enum: ['gross'],
        description: 'total, perAgency, perOutcome and perFamily are gross (see grossStatement)',
      },
      grossStatement: STRING,
      perAgency: array(
        exactly({ agency: STRING, baselineToExit: MONEY, baselineToFollowUp: MONEY }),
      ),
      total: PERIODS,
      perFamily: PERIODS,
      perOutcome: array(
        object({
          outcome: STRING,
          agency: STRING,
          baselineToExit: MONEY,
          baselineToFollowUp: MONEY,
          terms: array(
            exactly({
              domain: STRING,
              quantity: STRING,
              grossPerFamily: MONEY,
              netPerFamily: MONEY,
            }),
          ),
          deadweight: nullable(STRING),
          attribution: nullable(STRING),
          net: PERIODS,
        }),
      ),
      perDomain: array(
        exactly({ domain: STRING, baselineToExit: TRANSITIONS, baselineToFollowUp: TRANSITIONS }),
      ),
      net: nullable(
        object(
          {
            outcomesAdjusted: INTEGER,
            outcomes: INTEGER,
            statement: STRING,
            perAgency: array(
              exactly({ agency: STRING, baselineToExit: MONEY, baselineToFollowUp: MONEY }),
            ),
            total: PERIODS,
            perFamily: PERIODS,
            returnOnSpend: { type: 'object' },
          },
          ['outcomesAdjusted', 'outcomes', 'statement', 'perAgency', 'total', 'perFamily'],
        ),
      ),
      programmeCost: object(
        {
          amount: { ...nullable(MONEY), description: 'Pro-rated to the window by days' },
          window: nullable({ type: 'object' }),
          reason: STRING,
        },
        ['amount'],
      ),
      returnOnSpend: { type: 'object', description: 'Gross £ avoided per £1, per period' },
    },
    [
      'filters',
      'unitCostTable',
      'priceIndex',
      'priceYear',
      'targetPriceYear',
      'priceBasis',
      'upliftFactor',
      'families',
      'excludedForConsent',
      'figures',
      'grossStatement',
      'perAgency',
      'total',
      'perFamily',
      'perOutcome',
      'perDomain',
      'net',
    ],
  ),
  UnitCosts: object({
    default: STRING,
    tables: array(
      object({ id: STRING, version: INTEGER, ref: STRING, rows: array({ type: 'object' }) }),
    ),
    priceIndexes: array(object({ id: STRING, version: INTEGER })),
  }),
  // ProgrammeCost (@app/savings)
  ProgrammeCost: exactly({
    authority: STRING,
    programme: STRING,
    year: INTEGER,
    amount: STRING,
    note: nullable(STRING),
    recordedBy: STRING,
    recordedAt: STRING,
  }),
  ProgrammeCosts: exactly({ authority: STRING, costs: array(ref('ProgrammeCost')) }),
  // health.controller.ts (DependencyReport)
  Health: exactly(
    {
      status: { type: 'string', enum: ['ok', 'degraded'] },
      database: DEPENDENCY,
      eventStore: DEPENDENCY,
      redis: DEPENDENCY,
      headPosition: POSITION,
      projections: array(
        exactly({
          name: STRING,
          state: DEPENDENCY,
          position: POSITION,
          caughtUp: BOOLEAN,
          lagSeconds: { type: 'number', minimum: 0 },
        }),
      ),
    },
    ['status', 'database', 'eventStore', 'redis', 'projections'],
  ),
  Live: exactly({ status: { type: 'string', enum: ['up'] } }),
  Ready: exactly({ status: { type: 'string', enum: ['ready'] } }),
  NotReady: exactly({
    status: { type: 'string', enum: ['unavailable'] },
    database: DEPENDENCY,
    eventStore: DEPENDENCY,
  }),
};
