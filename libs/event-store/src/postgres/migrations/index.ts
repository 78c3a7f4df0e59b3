import { EventStore1700000000000 } from './1700000000000-EventStore';

/** Migrations of the event store's tables, in order; pass them to `createDataSource`. */
export const eventStoreMigrations = [EventStore1700000000000];
