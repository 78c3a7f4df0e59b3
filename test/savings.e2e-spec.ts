import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FOLLOW_UP_POLICY, scheduleFor } from '@app/follow-ups/policy';
import deflator from '../libs/savings/src/tables/gdp-deflator.v1.json';
import table from '../libs/savings/src/tables/uk-unit-costs.v1.json';
import { FamilyEvent, familyStreamId } from '@app/domain';
import { as } from './support/auth';
import { Harness, startHarness } from './support/harness';
import { toAppend } from './support/stories';

/**
 * Cost avoidance over HTTP: a cohort recorded through the API, priced by `GET /v1/savings`, and
 * every figure checked against an independent computation from the assessments this file
 * recorded (the table's JSON and the index read directly, plain arithmetic).
 */

type Item = { familyId: string; type: string; occurredAt: string; data: Record<string, unknown> };
const AUTHORITY = 'sav_la';
/** The revisit's events: recorded by the worker and the follow-ups API, not the batch. */
const REVISIT = new Set(['FollowUpScheduled', 'FollowUpCompleted']);
const FAMILIES = 40;

/** Family i's costed conditions at baseline, exit and (every third family) one year on. */
const state = (i: number) => ({
  baseline: {
    asb_4_plus: i % 4 === 0,
    housing_enforcement: i % 2 === 0,
    truancy_exclusion_behaviour: i % 3 !== 0,
    child_protection: i % 5 < 2,
    domestic_violence: i % 7 < 3,
    drug_alcohol: i % 4 >= 2,
  },
  exit: {
    asb_4_plus: i % 8 === 0,
    housing_enforcement: i % 6 === 0 || i % 10 === 1,
    truancy_exclusion_behaviour: i % 9 === 1,
    child_protection: i % 5 === 0 || i === 7,
    domestic_violence: i % 7 === 0,
    drug_alcohol: i % 8 === 2,
  },
  followUp:
    i % 3 === 0
      ? {
          asb_4_plus: i % 8 === 0,
          housing_enforcement: i % 12 === 0,
          truancy_exclusion_behaviour: false,
          child_protection: i % 5 === 0,
          domestic_violence: i % 7 === 0 || i === 3,
          drug_alcohol: false,
        }
      : undefined,
});
type Conditions = ReturnType<typeof state>['baseline'];

const assessment = (c: Conditions) => ({
  asbTypes: c.asb_4_plus ? ['noise', 'rowdy_behaviour', 'vandalism', 'threats'] : ['noise'],
  housingEnforcementActions: c.housing_enforcement ? 1 : 0,
  truancyExclusionBehaviour: c.truancy_exclusion_behaviour,
  childProtectionConcern: c.child_protection,
  domesticViolence: c.domestic_violence,
  drugAlcoholProblem: c.drug_alcohol,
});

function familyItems(i: number, authority: string, exitType = 'planned'): Item[] {
  const familyId = randomUUID();
  const s = state(i);
  const at = (day: number) => new Date(Date.UTC(2024, 4, 1 + (i % 20) + day)).toISOString();
  const e = (type: string, day: number, data: Record<string, unknown> = {}): Item => ({
    familyId,
    type,
    occurredAt: at(day),
    data,
  });
  return [
    e('FamilyReferred', 0, { authority, programme: 'fip', source: 'police', reasons: ['asb'] }),
    e('DomainAssessmentRecorded', 1, { stage: 'referral', ...assessment(s.baseline) }),
    e('InterventionOffered', 3),
    e('InterventionAccepted', 5),
    // Exits fall in December 2024 or January 2025: financial year 2024.
    e('DomainAssessmentRecorded', 220, { stage: 'exit', ...assessment(s.exit) }),
    e('FamilyExited', 220, { exitType }),
    // One year on: the revisit scheduled at exit, completed with its assessment (the only way a
    // one-year-on assessment is recorded; the batch takes neither, see REVISIT below).
    ...(s.followUp
      ? [
          e('FollowUpScheduled', 220, {
            episode: 1,
            ...scheduleFor(DEFAULT_FOLLOW_UP_POLICY, at(220)),
          }),
          e('FollowUpCompleted', 585, { episode: 1, assessment: assessment(s.followUp) }),
        ]
      : []),
  ];
}

/** Independently of the calculator: units avoided per costed outcome over the planned exits. */
function unitsAvoided(): Record<'exit' | 'followUp', Record<string, number>> {
  const units = { exit: {} as Record<string, number>, followUp: {} as Record<string, number> };
  for (let i = 0; i < FAMILIES; i++) {
    const s = state(i);
    for (const m of table.mappings) {
      const d = m.domain as keyof Conditions;
      const change = (after: Conditions) => Number(s.baseline[d]) - Number(after[d]);
      units.exit[m.outcome] = (units.exit[m.outcome] ?? 0) + change(s.exit) * Number(m.quantity);
      if (s.followUp) {
        units.followUp[m.outcome] =
          (units.followUp[m.outcome] ?? 0) + change(s.followUp) * Number(m.quantity);
      }
    }
  }
  return units;
}

/** A row's cost in pence uplifted to `year` with the shipped index. */
function upliftedPence(outcome: string, year = table.priceYear, cost?: string): number {
  const row = table.rows.find((r) => r.outcome === outcome)!;
  const idx = deflator.values as Record<string, string>;
  return Math.round(
    (Math.round(Number(cost ?? row.cost) * 100) * Number(idx[year])) / Number(idx[row.priceYear]),
  );
}

function expectedPence(year = table.priceYear) {
  const units = unitsAvoided();
  const byAgency: Record<string, { exit: number; followUp: number }> = {};
  let exit = 0;
  let followUp = 0;
  for (const row of table.rows) {
    const e = (units.exit[row.outcome] ?? 0) * upliftedPence(row.outcome, year);
    const f = (units.followUp[row.outcome] ?? 0) * upliftedPence(row.outcome, year);
    byAgency[row.agency] ??= { exit: 0, followUp: 0 };
    byAgency[row.agency].exit += e;
    byAgency[row.agency].followUp += f;
    exit += e;
    followUp += f;
  }
  return { exit, followUp, byAgency, units };
}
const pounds = (pence: number) => (pence / 100).toFixed(2);

describe('GET /v1/savings', () => {
  let h: Harness;
  let extraDir: string;
  const keyworker = as('keyworker', AUTHORITY);

  beforeAll(async () => {
    // A second version of the table, with a dearer eviction, offered next to the shipped one.
    extraDir = mkdtempSync(join(tmpdir(), 'unit-costs-'));
    const v2 = {
      ...table,
      version: 2,
      rows: table.rows.map((r) => (r.outcome === 'eviction' ? { ...r, cost: '5000.00' } : r)),
    };
    writeFileSync(join(extraDir, 'uk-unit-costs.v2.json'), JSON.stringify(v2));
    // v3: deadweight and attribution on every other row, so net figures differ from gross.
    const v3 = {
      ...table,
      version: 3,
      rows: table.rows.map((r, i) =>
        i % 2 ? r : { ...r, deadweight: '20', attribution: '65', adjustmentSource: 'e2e' },
      ),
    };
    writeFileSync(join(extraDir, 'uk-unit-costs.v3.json'), JSON.stringify(v3));
    process.env.UNIT_COST_TABLES_DIR = extraDir;
    h = await startHarness();

    // Each authority's families recorded by its own key worker.
    const batches: [Record<string, string>, Item[][]][] = [
      [
        keyworker,
        [
          ...Array.from({ length: FAMILIES }, (_, i) => familyItems(i, AUTHORITY)),
          // Not in the planned-exit cohort: disengaged.
          ...Array.from({ length: 5 }, (_, i) => familyItems(i, AUTHORITY, 'disengaged')),
        ],
      ],
      [
        as('keyworker', 'sav_other'),
        Array.from({ length: 5 }, (_, i) => familyItems(i, 'sav_other')),
      ],
    ];
    let last = 0n;
    for (const [who, families] of batches) {
      const items = families.flat();
      const res = await h.http
        .post('/v1/events/batch')
        .set(who)
        .send({ events: items.filter((item) => !REVISIT.has(item.type)) });
      expect(res.status).toBe(200);
      const results = res.body.results as { status: number; position: string }[];
      expect(results.filter((r) => r.status !== 201)).toEqual([]);
      for (const r of results) if (BigInt(r.position) > last) last = BigInt(r.position);
      // The revisits, as the worker's sweep and POST /v1/follow-ups/{id}/complete record them.
      for (const familyId of new Set(items.map((item) => item.familyId))) {
        const revisit = items.filter((i) => i.familyId === familyId && REVISIT.has(i.type));
        if (!revisit.length) continue;
        const events = revisit.map(
          (i) => ({ type: i.type, data: { ...i.data, occurredAt: i.occurredAt } }) as FamilyEvent,
        );
        const authority = familyId && items.find((i) => i.familyId === familyId)!.data.authority;
        const { position } = await h.store.append(
          familyStreamId(familyId),
          toAppend(events, { authority: String(authority) }),
          { expectedRevision: 'stream_exists' },
        );
        if (position > last) last = position;
      }
    }
    await h.caughtUp(last);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    delete process.env.UNIT_COST_TABLES_DIR;
    rmSync(extraDir, { recursive: true, force: true });
  });

  it('prices the planned exits of an authority, per agency and in total', async () => {
    const res = await h.http.get(`/v1/savings?authority=${AUTHORITY}`).set(keyworker);
    expect(res.status).toBe(200);
    const want = expectedPence();
    expect(res.body).toMatchObject({
      filters: { authority: AUTHORITY, cohort: 'planned_exits' },
      unitCostTable: { id: 'uk-unit-costs', version: 1 },
      priceIndex: { id: 'gdp-deflator', version: 1 },
      priceYear: 2022,
      targetPriceYear: 2022,
      upliftFactor: '1.000000',
      families: FAMILIES,
      total: { baselineToExit: pounds(want.exit), baselineToFollowUp: pounds(want.followUp) },
      perFamily: {
        baselineToExit: pounds(Math.round(want.exit / FAMILIES)),
        baselineToFollowUp: pounds(Math.round(want.followUp / FAMILIES)),
      },
    });
    for (const a of res.body.perAgency as { agency: string; baselineToExit: string }[]) {
      expect([a.agency, a.baselineToExit]).toEqual([
        a.agency,
        pounds(want.byAgency[a.agency]?.exit ?? 0),
      ]);
    }
    const lines = res.body.perOutcome as {
      outcome: string;
      unitsAvoided: { baselineToExit: string };
    }[];
    for (const line of lines) {
      expect([line.outcome, line.unitsAvoided.baselineToExit]).toEqual([
        line.outcome,
        (want.units.exit[line.outcome] ?? 0).toFixed(3),
      ]);
    }
    // The cohort improved on every costed domain: something is saved for several agencies.
    expect(want.exit).toBeGreaterThan(0);
    expect(Object.values(want.byAgency).filter((a) => a.exit > 0).length).toBeGreaterThan(2);
  });

  it('expresses the figures in the price year asked for, showing the uplift', async () => {
    const res = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}&priceYear=2025`)
      .set(keyworker);
    expect(res.status).toBe(200);
    const idx = deflator.values as Record<string, string>;
    expect(res.body.upliftFactor).toBe((Number(idx['2025']) / Number(idx['2022'])).toFixed(6));
    expect(res.body.targetPriceYear).toBe(2025);
    expect(res.body.total.baselineToExit).toBe(pounds(expectedPence(2025).exit));
    const eviction = (res.body.perOutcome as Record<string, string | number>[]).find(
      (l) => l.outcome === 'eviction',
    )!;
    expect(eviction).toMatchObject({
      cost: '4361.00',
      priceYear: 2016,
      upliftedCost: pounds(upliftedPence('eviction', 2025)),
    });
  });

  it('another version of the unit-cost table changes the figure and the version reported', async () => {
    const v1 = await h.http.get(`/v1/savings?authority=${AUTHORITY}`).set(keyworker);
    const v2 = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}&unitCosts=uk-unit-costs@2`)
      .set(keyworker);
    expect(v2.status).toBe(200);
    expect(v2.body.unitCostTable).toEqual({ id: 'uk-unit-costs', version: 2 });
    const evictions = expectedPence().units.exit.eviction;
    const dearer = upliftedPence('eviction', 2022, '5000.00') - upliftedPence('eviction');
    const toPence = (s: string) => Math.round(Number(s) * 100);
    expect(toPence(v2.body.total.baselineToExit) - toPence(v1.body.total.baselineToExit)).toBe(
      evictions * dearer,
    );
    expect(evictions).toBeGreaterThan(0);
  });

  it('sets a programme cost and reports the return on spend for the years it covers', async () => {
    const manager = as('data_manager', AUTHORITY);
    const put = await h.http
      .put(`/v1/programme-costs/${AUTHORITY}/fip/2024`)
      .set(manager)
      .send({ amount: '150000.00', note: 'FIP team and commissioned support' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      authority: AUTHORITY,
      programme: 'fip',
      year: 2024,
      amount: '150000.00',
    });
    const res = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}&exitedFrom=2024-04-01&exitedTo=2025-03-31`)
      .set(keyworker);
    expect(res.status).toBe(200);
    const want = expectedPence();
    expect(res.body.families).toBe(FAMILIES);
    expect(res.body.programmeCost).toMatchObject({
      amount: '150000.00',
      window: { kind: 'exits', from: '2024-04-01', to: '2025-03-31', days: 365 },
      financialYears: [{ year: 2024, entered: '150000.00', share: '150000.00' }],
    });
    expect(res.body.returnOnSpend.baselineToExit).toBe((want.exit / 15_000_000).toFixed(2));
    const list = await h.http.get(`/v1/programme-costs/${AUTHORITY}`).set(manager);
    expect(list.body.costs).toHaveLength(1);
  });

  it('sets a quarter of the year’s programme cost against a quarter’s exits (pro-rated by days)', async () => {
    // Every planned exit falls in December 2024: October to December 2024 has them all, and
    // 92 of financial year 2024's 365 days: 150,000 × 92 / 365 = 37,808.22.
    const res = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}&exitedFrom=2024-10-01&exitedTo=2024-12-31`)
      .set(keyworker);
    expect(res.status).toBe(200);
    const want = expectedPence();
    expect(res.body.families).toBe(FAMILIES);
    expect(res.body.total.baselineToExit).toBe(pounds(want.exit));
    expect(res.body.programmeCost).toMatchObject({
      amount: '37808.22',
      window: { kind: 'exits', from: '2024-10-01', to: '2024-12-31', days: 92 },
      financialYears: [
        { year: 2024, entered: '150000.00', days: 92, daysInYear: 365, share: '37808.22' },
      ],
    });
    expect(res.body.returnOnSpend.baselineToExit).toBe((want.exit / 3_780_822).toFixed(2));
  });

  it('gives no return on spend without a date window, and says why', async () => {
    const res = await h.http.get(`/v1/savings?authority=${AUTHORITY}`).set(keyworker);
    expect(res.status).toBe(200);
    expect(res.body.programmeCost).toMatchObject({ amount: null, window: null });
    expect(res.body.programmeCost.reason).toMatch(/^No return on spend without a date window/);
    expect(res.body.returnOnSpend).toEqual({ baselineToExit: null, baselineToFollowUp: null });
    const open = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}&exitedFrom=2024-04-01`)
      .set(keyworker);
    expect(open.body.programmeCost).toMatchObject({ amount: null });
    expect(open.body.programmeCost.reason).toMatch(/the exits window has no end/);
    expect(open.body.returnOnSpend).toEqual({ baselineToExit: null, baselineToFollowUp: null });
  });

  it('says the figures are gross and names the deflator with its status', async () => {
    const res = await h.http.get(`/v1/savings?authority=${AUTHORITY}`).set(keyworker);
    expect(res.body).toMatchObject({
      figures: 'gross',
      net: null,
      priceBasis: { priceYear: 2022, deflator: { ref: 'gdp-deflator@1', evidence: 'indicative' } },
    });
    expect(res.body.grossStatement).toMatch(/^Gross cost avoidance/);
    expect(res.body.priceBasis.deflator.status).toMatch(
      /^GDP deflator .* INDICATIVE until replaced/,
    );
    const csv = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}`)
      .set(keyworker)
      .set('accept', 'text/csv');
    const [header, ...rows] = parse(csv.text) as string[][];
    const at = (name: string) => header.indexOf(name);
    for (const r of rows) {
      expect(r[at('deflator')]).toBe(res.body.priceBasis.deflator.status);
      expect(r[at('target_price_year')]).toBe('2022');
    }
    const total = rows.find((r) => r[0] === 'total')!;
    expect(total[at('figures_are')]).toBe('gbp, gross');
    expect(total[at('note')]).toMatch(/^Gross cost avoidance/);
    const ros = rows.find((r) => r[0] === 'return_on_spend')!;
    expect(ros[at('figures_are')]).toBe('gbp avoided per gbp spent');
  });

  it('answers in CSV with one row per costed outcome, per agency and the total', async () => {
    const res = await h.http
      .get(`/v1/savings?authority=${AUTHORITY}`)
      .set(keyworker)
      .set('accept', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const [header, ...rows] = parse(res.text) as string[][];
    const total = rows.find((r) => r[0] === 'total')!;
    expect(total[header.indexOf('baseline_to_exit')]).toBe(pounds(expectedPence().exit));
    expect(total[header.indexOf('unit_cost_table')]).toBe('uk-unit-costs@1');
    expect(rows.filter((r) => r[0] === 'outcome')).toHaveLength(table.rows.length);
    expect(rows.filter((r) => r[0] === 'agency')).toHaveLength(7);
  });

  it.each([
    ['priceYear=twenty', 'priceYear', 'matches'],
    ['priceYear=1850', 'priceYear', 'price_year_in_index'],
    ['unitCosts=uk-unit-costs@9', 'unitCosts', 'known_unit_cost_table'],
    ['unitCosts=UK', 'unitCosts', 'matches'],
    ['cohort=everyone', 'cohort', 'isIn'],
  ])('rejects %s with a 400 naming %s', async (qs, field, rule) => {
    const res = await h.http.get(`/v1/savings?authority=${AUTHORITY}&${qs}`).set(keyworker);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field, rule })]);
  });

  it('answers as the records stood at asAt, the same bytes every time', async () => {
    const url = (asAt: string) => `/v1/savings?authority=${AUTHORITY}&asAt=${asAt}`;
    // A millisecond back, so nothing recorded from here on can fall at or before it.
    const before = new Date(Date.now() - 1).toISOString();
    const first = await h.http.get(url(before)).set(keyworker);
    expect(first.status).toBe(200);
    // A late record: one more planned exit whose housing enforcement action went away.
    const late = familyItems(2, AUTHORITY);
    const res = await h.http.post('/v1/events/batch').set(keyworker).send({ events: late });
    const positions = (res.body.results as { position: string }[]).map((r) => BigInt(r.position));
    await h.caughtUp(positions.reduce((m, p) => (p > m ? p : m), 0n));

    const again = await h.http.get(url(before)).set(keyworker);
    expect(again.text).toBe(first.text);
    const now = await h.http.get(`/v1/savings?authority=${AUTHORITY}`).set(keyworker);
    expect(now.body.families).toBe(FAMILIES + 1);
    const s = state(2);
    const housing = Number(s.baseline.housing_enforcement) - Number(s.exit.housing_enforcement);
    expect(housing).toBe(1);
    const eviction = (r: typeof now) =>
      (r.body.perOutcome as { outcome: string; unitsAvoided: { baselineToExit: string } }[]).find(
        (l) => l.outcome === 'eviction',
      )!.unitsAvoided.baselineToExit;
    expect(Number(eviction(now)) - Number(eviction(first))).toBe(housing);
  });

  it("keeps a caller to its own authority's figures; a national evaluator sees any", async () => {
    const own = await h.http.get('/v1/savings').set(keyworker);
    expect(own.status).toBe(200);
    expect(own.body.filters.authority).toBe(AUTHORITY);
    expect(own.body.families).toBe(FAMILIES + 1);
    const other = await h.http.get('/v1/savings?authority=sav_other').set(keyworker);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('outside_authority');
    expect(JSON.stringify(other.body)).not.toMatch(/total|families/);
    const evaluator = as('evaluator', null);
    // An evaluator's counts are perturbed (issue 14): within ±5 of the truth, never 1 to 4.
    const near = (shown: number, truth: number) => {
      expect(Math.abs(shown - truth)).toBeLessThanOrEqual(5);
      expect(shown === 0 || shown >= 5).toBe(true);
    };
    const national = await h.http.get('/v1/savings?authority=sav_other').set(evaluator);
    expect(national.status).toBe(200);
    near(national.body.families, 5);
    const everyone = await h.http.get('/v1/savings').set(evaluator);
    near(everyone.body.families, FAMILIES + 1 + 5);
  });

  it('perturbs every count for evaluators, and computes the money from the perturbed counts', async () => {
    type Counts = { pairs: number; improved: number; worsened: number };
    type Figures = { baselineToExit: string; baselineToFollowUp: string };
    type Answer = {
      families: number;
      perDomain: { domain: string; baselineToExit: Counts; baselineToFollowUp: Counts }[];
      perOutcome: (Figures & { outcome: string; net: Figures })[];
      perAgency: Figures[];
      total: Figures;
      perFamily: Record<keyof Figures, string | null>;
      net: { perAgency: Figures[]; total: Figures } | null;
    };
    const periods = ['baselineToExit', 'baselineToFollowUp'] as const;
    const pence = (m: string) => Math.round(Number(m) * 100);
    let changed = 0;
    for (const authority of [AUTHORITY, 'sav_other']) {
      const url = `/v1/savings?authority=${authority}&unitCosts=uk-unit-costs@3`;
      const res = await h.http.get(url).set(as('evaluator', null));
      expect(res.status).toBe(200);
      expect(res.body.filters).toMatchObject({
        disclosure: 'on',
        ptable: 'outcomes-ledger-ptable@1',
      });
      expect(res.body.disclosure.perturbation).toMatchObject({
        method: 'cell-key',
        ptable: 'outcomes-ledger-ptable@1',
        maxPerturbation: 5,
        blockedUpTo: 4,
      });
      const shut = res.body as Answer;
      const open = (await h.http.get(url).set(as('keyworker', authority))).body as Answer;
      // A key worker asking for disclosure control gets the same published figures.
      const asked = await h.http.get(`${url}&disclosure=on`).set(as('keyworker', authority));
      expect({ ...asked.body, filters: null }).toEqual({ ...res.body, filters: null });
      shut.perDomain.forEach((d, i) => {
        for (const p of periods)
          for (const k of ['pairs', 'improved', 'worsened'] as const) {
            const [shown, truth] = [d[p][k], open.perDomain[i][p][k]];
            expect(typeof shown).toBe('number');
            expect(shown === 0 || shown >= 5).toBe(true);
            expect(Math.abs(shown - truth)).toBeLessThanOrEqual(5 * 12);
            if (shown !== truth) changed++;
          }
        // Within a domain the published counts add up.
        for (const p of periods)
          expect(d[p].improved + d[p].worsened).toBeLessThanOrEqual(d[p].pairs);
      });
      // The money follows from the published counts: agencies sum to the total (gross and net),
      // and per family is the total over the published families.
      for (const p of periods) {
        const sum = (xs: Figures[]) => xs.reduce((a, x) => a + pence(x[p]), 0);
        expect(sum(shut.perAgency)).toBe(pence(shut.total[p]));
        if (shut.net) expect(sum(shut.net.perAgency)).toBe(pence(shut.net.total[p]));
        if (shut.families === 0) expect(shut.perFamily[p]).toBeNull();
        else
          expect(
            Math.abs(pence(shut.perFamily[p]!) - pence(shut.total[p]) / shut.families),
          ).toBeLessThan(1);
      }
    }
    // Perturbation really happened somewhere (these cohorts are small).
    expect(changed).toBeGreaterThan(0);
  });

  it('lets only a data manager of the authority set its programme cost', async () => {
    const body = { amount: '1.00' };
    const path = `/v1/programme-costs/${AUTHORITY}/fip/2030`;
    const keyworkerPut = await h.http.put(path).set(keyworker).send(body);
    expect(keyworkerPut.status).toBe(403);
    // Another authority's costs are not found, as another authority's family would be.
    const otherManager = await h.http.put(path).set(as('data_manager', 'sav_other')).send(body);
    expect(otherManager.status).toBe(404);
    const otherList = await h.http
      .get(`/v1/programme-costs/${AUTHORITY}`)
      .set(as('keyworker', 'sav_other'));
    expect(otherList.status).toBe(404);
    const anonymous = await h.http.put(path).send(body);
    expect(anonymous.status).toBe(401);
    const stored = await h.db.query('SELECT year FROM programme_costs WHERE year = 2030');
    expect(stored).toEqual([]);
    const recorded = await h.http
      .put(`/v1/programme-costs/${AUTHORITY}/fip/2023`)
      .set(as('data_manager', AUTHORITY, 'dm-7'))
      .send({ amount: '90000' });
    expect(recorded.body).toMatchObject({ amount: '90000.00', recordedBy: 'dm-7' });
  });

  it('rejects a bad programme cost, naming the field, and stores nothing', async () => {
    const manager = as('data_manager', AUTHORITY);
    const before = await h.db.query('SELECT * FROM programme_costs ORDER BY 1, 2, 3');
    for (const [path, body, field] of [
      [`${AUTHORITY}/fip/2023`, { amount: '12.345' }, 'amount'],
      [`${AUTHORITY}/fip/2023`, { amount: 1000 }, 'amount'],
      [`${AUTHORITY}/fip/23`, { amount: '1.00' }, 'year'],
      [`${AUTHORITY}/F%20IP/2023`, { amount: '1.00' }, 'programme'],
    ] as const) {
      const res = await h.http.put(`/v1/programme-costs/${path}`).set(manager).send(body);
      expect([path, res.status]).toEqual([path, 400]);
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect([path, [...new Set(fields)]]).toEqual([path, [field]]);
    }
    expect(await h.db.query('SELECT * FROM programme_costs ORDER BY 1, 2, 3')).toEqual(before);
  });
});
