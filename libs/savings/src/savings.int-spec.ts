import { randomUUID } from 'node:crypto';
import { DomainAssessment, FamilyEvent, SCHEMA_VERSIONS, familyStreamId } from '@app/domain';
import {
  PostgresEventStore,
  createDataSource,
  eventStoreMigrations,
  migrate,
} from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { ProjectionRunner, waitForProjections } from '@app/projections';
import { readModelMigrations } from '@app/read-models';
import { securityMigrations } from '@app/security';
import { savingsMigrations } from './index';
import { OutcomesProjection } from '@app/outcomes';
import { DataSource } from 'typeorm';
import { setProgrammeCost, listProgrammeCosts, savingsFor } from './savings.queries';
import deflator from './tables/gdp-deflator.v1.json';
import table from './tables/uk-unit-costs.v1.json';

/** A family's history as stored events: referral, acceptance, assessments, maybe an exit. */
function family(
  authority: string,
  a: { baseline: DomainAssessment; exit?: DomainAssessment; followUp?: DomainAssessment },
  exitType: 'planned' | 'disengaged' = 'planned',
) {
  const events: FamilyEvent[] = [
    {
      type: 'FamilyReferred',
      data: {
        occurredAt: '2024-05-01T00:00:00.000Z',
        authority,
        programme: 'fip',
        source: 'police',
        reasons: ['asb'],
      },
    },
    { type: 'InterventionOffered', data: { occurredAt: '2024-05-03T00:00:00.000Z' } },
    { type: 'InterventionAccepted', data: { occurredAt: '2024-05-05T00:00:00.000Z' } },
    {
      type: 'DomainAssessmentRecorded',
      data: { occurredAt: '2024-05-01T00:00:00.000Z', stage: 'referral', ...a.baseline },
    },
  ];
  if (a.exit) {
    events.push(
      {
        type: 'DomainAssessmentRecorded',
        data: { occurredAt: '2024-11-01T00:00:00.000Z', stage: 'exit', ...a.exit },
      },
      { type: 'FamilyExited', data: { occurredAt: '2024-11-01T00:00:00.000Z', exitType } },
    );
  }
  if (a.followUp) {
    events.push({
      type: 'DomainAssessmentRecorded',
      data: { occurredAt: '2025-11-01T00:00:00.000Z', stage: 'follow_up', ...a.followUp },
    });
  }
  return events.map((e) => ({
    id: randomUUID(),
    type: e.type,
    data: e.data as unknown as Record<string, unknown>,
    metadata: {
      recordedAt: '2025-12-01T00:00:00.000Z',
      actor: 'test',
      authority,
      correlationId: randomUUID(),
      schemaVersion: SCHEMA_VERSIONS[e.type],
    },
  }));
}

/** Independently of the calculator: a row's cost in pence at the table's price year. */
function uplifted(outcome: string): number {
  const row = table.rows.find((r) => r.outcome === outcome)!;
  const idx = deflator.values as Record<string, string>;
  const pence = Math.round(Number(row.cost) * 100);
  return Math.round((pence * Number(idx[table.priceYear])) / Number(idx[row.priceYear]));
}
const pounds = (pence: number) => (pence / 100).toFixed(2);

describe('savingsFor over the outcomes read model', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;
  const ids = { improved: randomUUID(), mixed: randomUUID() };

  beforeAll(async () => {
    schema = await createTestSchema('savings');
    db = createDataSource(schema.config, [
      ...eventStoreMigrations,
      ...readModelMigrations,
      ...securityMigrations,
      ...savingsMigrations,
    ]);
    await migrate(db);
    store = PostgresEventStore.connect(schema.config);
    const histories: [string, ReturnType<typeof family>][] = [
      // Lost its enforcement action and child protection concern; the concern was back a year on.
      [
        ids.improved,
        family('sav-a', {
          baseline: { housingEnforcementActions: 1, childProtectionConcern: true },
          exit: { housingEnforcementActions: 0, childProtectionConcern: false },
          followUp: { housingEnforcementActions: 0, childProtectionConcern: true },
        }),
      ],
      // Drug problem gone, but domestic violence appeared: a cost, not a saving.
      [
        ids.mixed,
        family('sav-a', {
          baseline: { domesticViolence: false, drugAlcoholProblem: true },
          exit: { domesticViolence: true, drugAlcoholProblem: false },
        }),
      ],
      // Not in the planned-exit cohort: disengaged, or still in the intervention.
      [
        randomUUID(),
        family(
          'sav-a',
          { baseline: { asbTypes: ['a', 'b', 'c', 'd'] }, exit: { asbTypes: [] } },
          'disengaged',
        ),
      ],
      [randomUUID(), family('sav-a', { baseline: { housingEnforcementActions: 2 } })],
      // Another authority.
      [
        randomUUID(),
        family('sav-b', {
          baseline: { housingEnforcementActions: 1 },
          exit: { housingEnforcementActions: 0 },
        }),
      ],
    ];
    let last = 0n;
    for (const [id, events] of histories) {
      const r = await store.append(familyStreamId(id), events, { expectedRevision: 'no_stream' });
      last = r.position;
    }
    runner = new ProjectionRunner(store, db, [new OutcomesProjection()], { batchSize: 50 });
    runner.start();
    await waitForProjections(db, [OutcomesProjection.NAME], last);
  });
  afterAll(async () => {
    await runner?.stop();
    await store.close();
    await db.destroy();
    await schema.drop();
  });

  it('prices the planned exits of one authority from their assessments, split by agency', async () => {
    const report = await savingsFor(db, { authority: 'sav-a' });
    const exit =
      uplifted('eviction') +
      26 * uplifted('foster_care_week') +
      uplifted('police_response_drug_possession') -
      uplifted('police_response_violence_with_injury');
    expect(report).toMatchObject({
      cohort: 'planned_exits',
      unitCostTable: { id: 'uk-unit-costs', version: 1 },
      priceYear: 2022,
      targetPriceYear: 2022,
      upliftFactor: '1.000000',
      families: 2,
      total: { baselineToExit: pounds(exit), baselineToFollowUp: pounds(uplifted('eviction')) },
      perFamily: { baselineToExit: pounds(Math.round(exit / 2)) },
    });
    const agency = (a: string) => report.perAgency.find((p) => p.agency === a)!;
    expect(agency('housing').baselineToExit).toBe(pounds(uplifted('eviction')));
    expect(agency('social_care').baselineToExit).toBe(pounds(26 * uplifted('foster_care_week')));
    // A&E: one attendance avoided (drugs), one incurred (violence).
    expect(agency('health').baselineToExit).toBe('0.00');
    expect(agency('police').baselineToExit).toBe(
      pounds(
        uplifted('police_response_drug_possession') -
          uplifted('police_response_violence_with_injury'),
      ),
    );
    // Only the family whose domestic violence was assessed both times is a pair.
    expect(report.perDomain.find((d) => d.domain === 'domestic_violence')).toEqual({
      domain: 'domestic_violence',
      baselineToExit: { pairs: 1, improved: 0, worsened: 1 },
      baselineToFollowUp: { pairs: 0, improved: 0, worsened: 0 },
    });
    // No date window: no return on spend, and the answer says why.
    expect(report.programmeCost).toMatchObject({ amount: null, window: null });
    expect(report.programmeCost!.reason).toMatch(/^No return on spend without a date window/);
    expect(report.returnOnSpend).toEqual({ baselineToExit: null, baselineToFollowUp: null });
    // Nor for a national answer: programme costs are per authority.
    expect((await savingsFor(db, {})).programmeCost).toBeUndefined();
  });

  it('takes the cohort kind and the price year the caller asks for', async () => {
    const all = await savingsFor(db, { authority: 'sav-a' }, { cohort: 'all_exits' });
    expect(all.families).toBe(3);
    const asb = all.perOutcome.find((l) => l.outcome === 'police_response_public_order')!;
    expect(asb.unitsAvoided.baselineToExit).toBe('4.000');
    const later = await savingsFor(db, { authority: 'sav-a' }, { targetPriceYear: 2024 });
    const idx = deflator.values as Record<string, string>;
    expect(later.upliftFactor).toBe((Number(idx['2024']) / Number(idx['2022'])).toFixed(6));
    expect(later.targetPriceYear).toBe(2024);
  });

  it('lists figures per family only when asked', async () => {
    const report = await savingsFor(db, { authority: 'sav-a' }, { byFamily: true });
    const improved = report.byFamily!.find((f) => f.familyId === ids.improved)!;
    expect(improved).toEqual({
      familyId: ids.improved,
      episode: 1,
      baselineToExit: pounds(uplifted('eviction') + 26 * uplifted('foster_care_week')),
      baselineToFollowUp: pounds(uplifted('eviction')),
    });
    expect(report.byFamily).toHaveLength(2);
    expect((await savingsFor(db, { authority: 'sav-a' })).byFamily).toBeUndefined();
  });

  it('sets the programme cost of the window, pro-rated by days, against the cohort', async () => {
    const at = new Date('2026-01-05T10:00:00.000Z');
    await setProgrammeCost(
      db,
      { authority: 'sav-a', programme: 'fip', year: 2024, pence: 2_000_000n, note: 'FIP team' },
      'data_manager.sav-a',
      at,
    );
    const window = { authority: 'sav-a', exitedFrom: '2024-04-01T00:00:00.000Z' };
    const report = await savingsFor(db, { ...window, exitedBefore: '2025-04-01T00:00:00.000Z' });
    const total = BigInt(report.total.baselineToExit.replace('.', ''));
    expect(report.programmeCost).toMatchObject({
      authority: 'sav-a',
      programme: 'all',
      window: { kind: 'exits', from: '2024-04-01', to: '2025-03-31', days: 365 },
      financialYears: [
        { year: 2024, entered: '20000.00', days: 365, daysInYear: 365, share: '20000.00' },
      ],
      amount: '20000.00',
    });
    const ratio = Number(total) / 2_000_000;
    expect(report.returnOnSpend!.baselineToExit).toBe(ratio.toFixed(2));

    // The families exited on 1 November 2024: a window of October to December 2024 has them
    // all, and 92 of the year's 365 days of its cost (20,000 × 92 / 365 = 5,041.10).
    const quarter = await savingsFor(db, {
      authority: 'sav-a',
      exitedFrom: '2024-10-01T00:00:00.000Z',
      exitedBefore: '2025-01-01T00:00:00.000Z',
    });
    expect(quarter.total).toEqual(report.total);
    expect(quarter.programmeCost).toMatchObject({ amount: '5041.10', window: { days: 92 } });
    expect(quarter.returnOnSpend!.baselineToExit).toBe((Number(total) / 504_110).toFixed(2));

    // A window reaching into a year with no cost entered gives no ratio, and says why.
    const partial = await savingsFor(db, { ...window, exitedBefore: '2026-01-01T00:00:00.000Z' });
    expect(partial.programmeCost).toMatchObject({ amount: null, missingYears: [2025] });
    expect(partial.returnOnSpend).toEqual({ baselineToExit: null, baselineToFollowUp: null });

    // Replacing an entry keeps one row per authority, programme and year.
    await setProgrammeCost(
      db,
      { authority: 'sav-a', programme: 'fip', year: 2024, pence: 2_500_000n },
      'data_manager.sav-a',
      at,
    );
    expect(await listProgrammeCosts(db, 'sav-a')).toEqual([
      {
        authority: 'sav-a',
        programme: 'fip',
        year: 2024,
        amount: '25000.00',
        note: null,
        recordedBy: 'data_manager.sav-a',
        recordedAt: at.toISOString(),
      },
    ]);
  });
});
