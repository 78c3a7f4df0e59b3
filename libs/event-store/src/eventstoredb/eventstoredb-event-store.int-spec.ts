import { describeEventStoreContract } from '../testing/event-store-contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
const describeIfEsdb = connectionString ? describe : describe.skip;

describeIfEsdb('EventStoreDB adapter (skipped unless EVENTSTORE_CONNECTION_STRING is set)', () => {
  describeEventStoreContract('EventStoreDB', async () => {
    const store = EventStoreDbEventStore.connect(connectionString ?? '');
    return { store, teardown: () => store.close() };
  });
});
