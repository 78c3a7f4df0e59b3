// The timeline read model: every event of every family, to be read in `occurredAt` order.
export * from './evolve';
export * from './timeline.projection';
export * from './queries';
