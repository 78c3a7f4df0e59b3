export * from './event-store-contract';
export * from './test-database';
export * from './pg-cluster';
