/**
 * The slice's rules written once (status.ts, periods.ts) and rendered to SQL: over generated
 * revisits, PostgreSQL's answer to the rendered SQL equals the TypeScript evaluation.
 */
import { FollowUpStatus } from '@app/domain';
import { TEST_DATABASE_URL } from '@app/event-store/testing';
import { seeded } from '@app/workload';
import { Pool } from 'pg';
import {
  RevisitFacts,
  cellsInPeriod,
  countInPeriod,
  periodCellsOf,
  periodCellsSql,
  periodCountsOf,
  periodCountsSql,
} from './periods';
import {
  LIST_STATUSES,
  hasListStatus,
  statusAt,
  statusFromStored,
  statusSql,
  statusWhere,
  storedStatus,
} from './status';

const STATUSES: FollowUpStatus[] = ['none', 'scheduled', 'due', 'completed', 'missed', 'cancelled'];
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;

describe('follow-up rules: TypeScript and the SQL rendered from it agree', () => {
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  afterAll(() => pool.end());
  const random = seeded('follow-up-rules');
  // Instants on a coarse grid, so that equal instants (the boundaries) come up often.
  const instant = () => new Date(BASE + random.int(40) * DAY).toISOString();
  const maybe = (p: number) => (random.chance(p) ? instant() : null);

  it('the list status of a revisit at a clock time (statusAt, statusSql, statusWhere)', async () => {
    for (let round = 0; round < 20; round++) {
      const clock = instant();
      const revisits = Array.from({ length: 50 }, (_, id) => ({
        id,
        status: random.pick(STATUSES),
        overdueAt: maybe(0.9),
      }));
      const rows = (
        await pool.query(
          `SELECT f.id, ${statusSql('$1', 'f')} AS status,
           ${LIST_STATUSES.map((s) => `(${statusWhere(s, '$1', 'f')}) IS TRUE AS ${s}`).join(', ')}
         FROM jsonb_to_recordset($2::jsonb) AS f(id int, status text, overdue_at timestamptz)
         ORDER BY f.id`,
          [
            clock,
            JSON.stringify(
              revisits.map((r) => ({
                id: r.id,
                status: storedStatus(r.status),
                overdue_at: r.overdueAt,
              })),
            ),
          ],
        )
      ).rows as ({ id: number; status: string } & Record<string, boolean>)[];
      for (const [i, r] of revisits.entries()) {
        const at = new Date(clock);
        const sql = rows[i];
        const where = LIST_STATUSES.filter((s) => sql[s]);
        expect({ ...r, clock, status: statusFromStored(sql.status), where }).toEqual({
          ...r,
          clock,
          status: statusAt(r, at),
          where: LIST_STATUSES.filter((s) => hasListStatus(s, r, at)),
        });
        expect(where.length).toBeLessThanOrEqual(1);
      }
    }
  });

  it('revisits completed, on time and missed in a period (countInPeriod, periodCountsSql)', async () => {
    for (let round = 0; round < 30; round++) {
      const [a, b] = [instant(), instant()].sort();
      const period = { from: a, before: b };
      const facts: RevisitFacts[] = Array.from({ length: 40 }, (_, episode) => {
        const completed = maybe(0.5);
        return {
          family_id: '00000000-0000-4000-8000-000000000001',
          episode,
          completed_at: completed,
          completed_on_time: completed ? random.chance(0.6) : null,
          missed_at: maybe(0.4),
        };
      });
      const [row] = (
        await pool.query(
          `SELECT ${periodCountsSql('f', '$1', '$2')}
         FROM jsonb_to_recordset($3::jsonb)
           AS f(completed_at timestamptz, completed_on_time boolean, missed_at timestamptz)`,
          [period.from, period.before, JSON.stringify(facts)],
        )
      ).rows as Record<string, string>[];
      expect(periodCountsOf(row)).toEqual(countInPeriod(facts, period));
    }
  });

  it('the period keyed cells: on time, late and missed (cellsInPeriod, periodCellsSql)', async () => {
    for (let round = 0; round < 20; round++) {
      const [a, b] = [instant(), instant()].sort();
      const period = { from: a, before: b };
      const keys = Array.from({ length: 40 }, () => random.int(2 ** 32));
      const facts: RevisitFacts[] = keys.map((_k, episode) => {
        const completed = maybe(0.5);
        return {
          family_id: '00000000-0000-4000-8000-000000000001',
          episode,
          completed_at: completed,
          completed_on_time: completed ? (random.chance(0.2) ? null : random.chance(0.6)) : null,
          missed_at: maybe(0.4),
        };
      });
      const [row] = (
        await pool.query(
          `SELECT ${periodCellsSql('f', '$1', '$2')}
         FROM jsonb_to_recordset($3::jsonb)
           AS f(completed_at timestamptz, completed_on_time boolean, missed_at timestamptz, rk bigint)`,
          [
            period.from,
            period.before,
            JSON.stringify(facts.map((f, i) => ({ ...f, rk: keys[i] }))),
          ],
        )
      ).rows as Record<string, string>[];
      const cells = cellsInPeriod(facts, period, (_f, episode) => keys[episode]);
      expect(periodCellsOf(row)).toEqual(cells);
      const counts = countInPeriod(facts, period);
      expect(cells.onTime.count + cells.late.count).toBe(counts.completed);
      expect(cells.missed.count).toBe(counts.missed);
    }
  });
});
