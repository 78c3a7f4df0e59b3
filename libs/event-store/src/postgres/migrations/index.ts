import { EventStore1700000000000 } from './1700000000000-EventStore';
import { StoreIdentity1764820000000 } from './1764820000000-StoreIdentity';

/** Migrations of the event store's tables, in order; pass them to `createDataSource`. */
export const eventStoreMigrations = [EventStore1700000000000, StoreIdentity1764820000000];
