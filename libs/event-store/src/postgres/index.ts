export * from './database';
export * from './migrations';
export * from './postgres-event-store';
export * from './privileges';
