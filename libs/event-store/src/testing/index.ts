export * from './event-store-contract';
export * from './test-database';
