import { EVENT_STORE, EventStore, StorageConfig } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { allProjections } from '@app/read-models';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { createApi } from '../../apps/api/src/api';

/**
 * The API as it runs in production, on a schema of its own in the test database, with the
 * projections running in-process. `caughtUp(position)` waits until the read models include it.
 */
export interface Harness {
  app: INestApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  store: EventStore;
  config: StorageConfig;
  caughtUp(position: string | bigint): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    projections?: boolean;
    /** Migrate as the owner role and serve as the service role, as in production. */
    databaseRoles?: boolean;
  } = {},
): Promise<Harness> {
  const schema = await createTestSchema('e2e', { roles: options.databaseRoles });
  const config: StorageConfig = { database: schema.config, eventStore: 'postgres' };
  const app = await createApi(config);
  await app.init();
  const db = app.get(DataSource);
  const store = app.get<EventStore>(EVENT_STORE);
  const runner =
    options.projections === false ? undefined : new ProjectionRunner(store, db, allProjections());
  runner?.start();
  const names = allProjections().map((p) => p.name);
  return {
    app,
    http: request(app.getHttpServer()),
    db,
    store,
    config,
    caughtUp: (position) => waitForProjections(db, names, BigInt(position)),
    close: async () => {
      await runner?.stop();
      await app.close();
      await schema.drop();
    },
  };
}

/** Every table of every projection (from the projections themselves, so none is forgotten). */
const projectionTables = () => allProjections().flatMap((p) => [...p.tables]);

/** A table's rows in a stable order (by the whole row's text), as JSON. */
const rowsOf = async (db: DataSource, table: string) =>
  JSON.stringify(await db.query(`SELECT * FROM ${table} t ORDER BY t::text`));

/** Everything a request could have changed: the log and every read model, in a stable order. */
export async function snapshot(db: DataSource): Promise<string> {
  const tables = ['events', 'streams', 'projection_checkpoints', ...projectionTables()];
  return (await Promise.all(tables.map((t) => rowsOf(db, t)))).join('\n');
}

/** Read models only (what a rebuild must reproduce exactly). */
export async function readModels(db: DataSource): Promise<string> {
  return (await Promise.all(projectionTables().map((t) => rowsOf(db, t)))).join('\n');
}
