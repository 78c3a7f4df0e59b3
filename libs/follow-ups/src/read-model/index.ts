/**
 * The follow-ups read model as one slice: its pure fold (evolve.ts), its status rule and the SQL
 * rendered from it (status.ts), its tables' migrations, the only SQL over `follow_ups` and
 * `follow_up_families` (list, rates, work, periods), its projection adapter and its "as at" fold.
 */
export * from './evolve';
export * from './status';
export * from './rows';
export * from './list';
export * from './rates';
export * from './as-at';
export * from './work';
export * from './periods';
export * from './projection';
export * from './migrations';
