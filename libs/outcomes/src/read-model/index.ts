/**
 * The outcomes read model as a slice: the pure fold (`../history`), the cohort rules and counts
 * with the SQL generated from them, the only SQL over its tables, its projection adapter, its
 * "as at" fold and its migrations.
 */
import { Outcomes1763900000000 } from './migrations/1763900000000-Outcomes';
import { OutcomeRollup1764710000000 } from './migrations/1764710000000-OutcomeRollup';
import { OutcomeFamilyPositions1764730000000 } from './migrations/1764730000000-OutcomeFamilyPositions';
import { OutcomeConsent1764913500000 } from './migrations/1764913500000-OutcomeConsent';
import { OutcomeCohortsStarted1765000000000 } from './migrations/1765000000000-OutcomeCohortsStarted';
import { OutcomeCountLayout1765000000001 } from './migrations/1765000000001-OutcomeCountLayout';

export * from './as-at';
export * from './attrition';
export * from './cells';
export * from './cells.queries';
export * from './cohort';
export * from './counts';
export * from './episode-records';
export * from './model';
export * from './outcomes.projection';
export * from './outcomes.queries';
export * from './rollup';
export * from './source';
export * from './summary';

export {
  Outcomes1763900000000,
  OutcomeRollup1764710000000,
  OutcomeFamilyPositions1764730000000,
  OutcomeConsent1764913500000,
  OutcomeCohortsStarted1765000000000,
  OutcomeCountLayout1765000000001,
};

/** The outcomes tables' migrations, in timestamp order. */
export const outcomeMigrations = [
  Outcomes1763900000000,
  OutcomeRollup1764710000000,
  OutcomeFamilyPositions1764730000000,
  OutcomeConsent1764913500000,
  OutcomeCohortsStarted1765000000000,
  OutcomeCountLayout1765000000001,
];
