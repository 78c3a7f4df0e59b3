// The families read model: one row per family with its current episode.
export * from './evolve';
export * from './families.projection';
export * from './queries';
