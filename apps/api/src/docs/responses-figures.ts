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
