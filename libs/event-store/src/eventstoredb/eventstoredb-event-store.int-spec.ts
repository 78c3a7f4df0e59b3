import { createPool } from '../postgres/database';
import { describeEventStoreContract } from '../testing/event-store-contract';
import { TEST_DATABASE_URL } from '../testing/test-database';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
const describeIfEsdb = connectionString ? describe : describe.skip;

describeIfEsdb('EventStoreDB adapter (skipped unless EVENTSTORE_CONNECTION_STRING is set)', () => {
  describeEventStoreContract('EventStoreDB', async () => {
    const store = EventStoreDbEventStore.connect(connectionString ?? '');
    // The fast-path contract's target: a PostgreSQL connection (the log is not there).
    const pool = createPool({ url: TEST_DATABASE_URL, max: 1 });
    const client = await pool.connect();
    return {
      store,
      sql: { db: { query: async (q, p) => (await client.query(q, p)).rows }, holdsLog: false },
      teardown: async () => {
        client.release();
        await pool.end();
        await store.close();
      },
    };
  });
});
