// Cost avoidance: versioned unit-cost tables and the calculator (issue 5).
export * from './calculator';
export * from './coefficients';
export * from './figures';
export * from './money';
export * from './programme-cost';
export * from './registry';
export * from './savings.queries';
export * from './tables';

import { ProgrammeCosts1764150000000 } from './migrations/1764150000000-ProgrammeCosts';

/** The programmes' unit-cost tables. */
export const savingsMigrations = [ProgrammeCosts1764150000000];
