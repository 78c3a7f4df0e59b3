import { createDataSource, eventStoreMigrations, migrate } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from './index';
import { savingsMigrations } from '@app/savings';
import { DataSource } from 'typeorm';
import { AuditEntry, AuditTrail } from './audit';

const entry = (n: number): AuditEntry => ({
  principal: { subject: `kw.${n}`, role: 'keyworker', authority: 'la-1', via: 'token' },
  method: 'POST',
  route: '/v1/families/:familyId/events',
  familyIds: ['6f1c1f0e-2b0a-4f5b-9a3e-1c2d3e4f5a6b', 'not-a-uuid'],
  targetIds: [],
  status: 201,
  correlationId: `c-${n}`,
});

describe('AuditTrail (group commit)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('audit');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
    ]);
    await migrate(db);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  const lines = async () =>
    (await db.query(
      `SELECT subject, correlation_id, family_ids::text[] AS family_ids FROM audit_log ORDER BY id`,
    )) as { subject: string; correlation_id: string; family_ids: string[] }[];

  it('writes every line, in the order asked, with lines that wait sharing one INSERT', async () => {
    const statements: string[] = [];
    const trail = new AuditTrail({
      query: (sql, parameters) => {
        statements.push(sql);
        return db.query(sql, parameters);
      },
    });
    await Promise.all(Array.from({ length: 200 }, (_, n) => trail.append(entry(n))));
    const written = await lines();
    expect(written.map((l) => l.correlation_id)).toEqual(
      Array.from({ length: 200 }, (_, n) => `c-${n}`),
    );
    expect(written[0].family_ids).toEqual(['6f1c1f0e-2b0a-4f5b-9a3e-1c2d3e4f5a6b']);
    // The first line goes at once; the 199 that arrived while it was written go together.
    expect(statements).toHaveLength(2);
  });

  it('fails the callers of a failed write, and writes the lines that come after it', async () => {
    const before = (await lines()).length;
    let fail = true;
    const trail = new AuditTrail({
      query: (sql, parameters) => {
        if (fail) {
          fail = false;
          return Promise.reject(new Error('connection lost'));
        }
        return db.query(sql, parameters);
      },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, n) => trail.append(entry(1000 + n))),
    );
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const after = (await lines()).slice(before).map((l) => l.correlation_id);
    expect(after).toEqual(['c-1001', 'c-1002', 'c-1003', 'c-1004']);
  });
});
