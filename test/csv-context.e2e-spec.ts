import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { FamilyEvent, systemClock } from '@app/domain';
import {
  DEFAULT_FOLLOW_UP_POLICY,
  followUpEventId,
  followUpId,
  followUpRecorder,
  scheduleFor,
} from '@app/follow-ups';
import { Harness, startHarness } from './support/harness';
import { as } from './support/auth';
import { plannedExitFamily } from './support/stories';

const DAY = 86_400_000;

/**
 * Issue 15 item 8: every CSV the API answers says what it answers (cohort, filters, as at,
 * position) on every row, in columns any CSV reader reads, and writes its figures to a sensible
 * precision (one decimal place for a percentage, never 17 digits).
 */
describe('CSV answers carry their context and sensible precision (e2e)', () => {
  let h: Harness;
  const authority = `csv-${randomUUID().slice(0, 8)}`;
  const manager = () => as('manager', authority);
  let lastWrite: bigint;

  /** An answer as CSV, read by csv-parse (RFC 4180, one header row). */
  const csv = async (path: string, query: Record<string, string>) => {
    const r = await h.http.get(path).set(manager()).set('accept', 'text/csv').query(query);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const header = r.text.split('\n')[0].split(',');
    return { header, rows: parse(r.text, { columns: true }) as Record<string, string>[] };
  };

  beforeAll(async () => {
    h = await startHarness();
    // Three planned exits, domestic violence at baseline in all three and at exit in one: 33.3%.
    for (const i of [0, 1, 2]) {
      const exitAt = Date.now() - 30 * DAY;
      const familyId = await plannedExitFamily(h, manager(), authority, exitAt, {
        before: [
          {
            type: 'DomainAssessmentRecorded',
            occurredAt: new Date(exitAt - 270 * DAY).toISOString(),
            data: { stage: 'referral', domesticViolence: true },
          },
          {
            type: 'DomainAssessmentRecorded',
            occurredAt: new Date(exitAt - DAY).toISOString(),
            data: { stage: 'exit', domesticViolence: i === 0 },
          },
        ],
      });
      // The first one's twelve-month revisit, as the sweep records it.
      if (i > 0) continue;
      const exitedAt = new Date(exitAt).toISOString();
      const scheduled: FamilyEvent = {
        type: 'FollowUpScheduled',
        data: {
          occurredAt: exitedAt,
          episode: 1,
          ...scheduleFor(DEFAULT_FOLLOW_UP_POLICY, exitedAt),
        },
      };
      const id = followUpId(familyId, 1);
      await followUpRecorder(h.store, systemClock).record(
        familyId,
        scheduled,
        followUpEventId(id, 'scheduled'),
      );
    }
    lastWrite = await h.store.headPosition();
    await h.caughtUp(lastWrite);
  }, 90_000);
  afterAll(() => h.close());

  const CONTEXT = ['filters', 'as_at', 'position'];

  it('leads every outcomes row with its cohort and ends it with filters, as at and position', async () => {
    const { header, rows } = await csv('/v1/outcomes', {
      authority,
      programme: 'fip',
      cohort: 'planned_exits',
    });
    // The answer holds both cohorts (issue 15 item 2): each row says its own first.
    expect(header.slice(-3)).toEqual(CONTEXT);
    expect(header[0]).toBe('cohort');
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.map((r) => r.cohort))).toEqual(new Set(['planned_exits', 'all_started']));
    for (const row of rows) {
      expect(row.filters).toBe(`authority=${authority}; programme=fip`);
      expect(Date.parse(row.as_at)).not.toBeNaN();
      // Every event written before the answer was read is counted.
      expect(BigInt(row.position)).toBeGreaterThanOrEqual(lastWrite);
    }
    const dv = rows.find((r) => r.id === 'domestic_violence' && r.cohort === 'planned_exits')!;
    expect(dv).toMatchObject({ n: '3', exit_count: '1', exit_pct: '33.3', baseline_pct: '100.0' });
    // No figure carries more digits than its precision (percent 1, fraction 3, p 3 significant).
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (/^-?\d+\.\d+$/.test(value))
          expect({ column, value }).toMatchObject({
            value: expect.stringMatching(/^-?\d+\.\d{1,4}$/),
          });
      }
    }
    expect(Number(dv.exit_ci95_lo).toFixed(1)).toBe(dv.exit_ci95_lo);
  });

  it('says the as-at instant asked for, and the cohort summary and savings say theirs', async () => {
    const asAt = new Date(Date.now() - DAY).toISOString();
    const outcomes = await csv('/v1/outcomes', { authority, asAt, cohort: 'all_exits' });
    expect(outcomes.rows.find((r) => r.cohort === 'all_exits')).toMatchObject({ as_at: asAt });
    expect(outcomes.rows[0].filters).toBe(`authority=${authority}`);

    const summary = await csv('/v1/cohorts/summary', { authority });
    expect(summary.header).toEqual(['measure', 'value', ...CONTEXT]);
    const referred = summary.rows.find((r) => r.measure === 'referred')!;
    expect(referred).toMatchObject({ value: '3', filters: `authority=${authority}` });
    expect(BigInt(referred.position)).toBeGreaterThanOrEqual(lastWrite);

    const savings = await csv('/v1/savings', { authority });
    expect(savings.header.slice(-4)).toEqual(['cohort', ...CONTEXT]);
    expect(savings.header[0]).toBe('section');
    for (const row of savings.rows) {
      expect(row).toMatchObject({ cohort: 'planned_exits', filters: `authority=${authority}` });
    }
  });

  it('ends the follow-up list with its filters, as at and position', async () => {
    const { header, rows } = await csv('/v1/follow-ups', { authority, status: 'scheduled' });
    expect(header[0]).toBe('follow_up_id');
    expect(header.slice(-3)).toEqual(CONTEXT);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'scheduled',
      filters: `authority=${authority}; status=scheduled`,
    });
    expect(BigInt(rows[0].position)).toBeGreaterThanOrEqual(lastWrite);
  });
});
