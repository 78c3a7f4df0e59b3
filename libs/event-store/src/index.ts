export * from './event-store';
export * from './event-store.module';
export * from './postgres';
export * from './eventstoredb/eventstoredb-event-store';
