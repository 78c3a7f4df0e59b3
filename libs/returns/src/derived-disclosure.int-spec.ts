import { createDataSource, eventStoreMigrations, migrate } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { definitionsFromEnv } from '@app/outcomes';
import { readModelMigrations } from '@app/read-models';
import { loadCostRegistry, savingsMigrations } from '@app/savings';
import { securityMigrations } from '@app/security';
import { generateFamilies } from '@app/workload';
import { DataSource } from 'typeorm';
import { ReturnRequest, composeReturn, periodBounds } from './builder';
import { savingsCostAvoidance } from './costs';
import { followUpsInPeriod } from './read-models';
import { Scope, TimelineRow, foldRows } from './records';
import { DEFAULT_SPEC, specNamed } from './spec';
import { attack, unitMoney } from './testing/attacker';

/**
 * Issue 14 item 1: a determined reader of a return, with every published cell and the unit-cost
 * table, works out no suppressed count exactly. Returns are built on the demo generator (three
 * seeds; the national return and a small authority's; a quarter and a year), then attacked by
 * `testing/attacker.ts`, which shares no code with the protection. The truth (the same return with
 * disclosure control switched off) checks the attacker's facts and every value it recovers.
 */
const exact = globalThis as { disclosureOff?: boolean };
jest.mock('./disclosure', () => {
  const actual = jest.requireActual('./disclosure');
  return {
    ...actual,
    protect: (...args: Parameters<typeof actual.protect>) =>
      (globalThis as { disclosureOff?: boolean }).disclosureOff
        ? { primary: [], suppressed: [] }
        : actual.protect(...args),
  };
});

const definitions = definitionsFromEnv();
const spec = specNamed(DEFAULT_SPEC)!;
const costs = savingsCostAvoidance();
const SEEDS = [1, 2, 3];
const SCOPES: Scope[] = [null, 'la_small'];
const PERIODS = [
  { periodStart: '2026-01-01', periodEnd: '2026-03-31' },
  { periodStart: '2025-04-01', periodEnd: '2026-03-31' },
];

describe('no suppressed count of a return is recoverable from its money and every other cell', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('returns_attack');
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

  it('three seeds, national and a small authority, a quarter and a year', async () => {
    const money = unitMoney(loadCostRegistry());
    const report: string[] = [];
    let suppressed = 0;
    let recovered = 0;
    for (const seed of SEEDS) {
      const families = generateFamilies({
        seed: `attack:${seed}`,
        families: 1200,
        authorities: ['la_big', 'la_big', 'la_big', 'la_mid', 'la_mid', 'la_small'],
        from: '2023-04-01T00:00:00.000Z',
        to: '2026-06-30T00:00:00.000Z',
      });
      const rows: TimelineRow[] = families.flatMap((f) =>
        f.events.map((e, i) => ({
          family_id: f.familyId,
          revision: String(i),
          type: e.event.type,
          data: e.event.data,
        })),
      );
      for (const scope of SCOPES) {
        const records = foldRows(rows, definitions, scope);
        for (const period of PERIODS) {
          const request: ReturnRequest = { authority: scope, ...period };
          const build = () =>
            composeReturn({ db, definitions, software: 'test', costs }, spec, request, 0n, {
              episodes: { kind: 'rows', episodes: records.episodes },
              followUps: followUpsInPeriod(records.followUps, periodBounds(request)),
            });
          exact.disclosureOff = true;
          const truth = (await build()).content;
          exact.disclosureOff = false;
          const { content } = await build();
          const value = new Map<string, unknown>();
          for (const t of truth.sections.flatMap((s) => s.tables))
            for (const r of t.rows)
              for (const [c, v] of Object.entries(r.values)) value.set(`${t.id}.${r.id}.${c}`, v);
          const small = new Set(
            [...value].filter(([, v]) => typeof v === 'number' && v > 0 && v < 5).map(([k]) => k),
          );
          const a = attack(content, {
            threshold: spec.disclosure.threshold,
            unitMoney: money,
            small,
            money: {
              costs: 'cost_avoidance',
              outcomes: 'outcomes_planned_exits',
              oneYearOn: 'outcomes_planned_exits_one_year_on',
            },
          });
          const truthOf = (id: string) => {
            const v = value.get(id);
            if (typeof v === 'number') return v;
            if (typeof v === 'string' && /^-?\d+\.\d\d$/.test(v)) return Number(v.replace('.', ''));
            return undefined;
          };
          // The attacker's facts hold of the truth, and whatever it recovers is right.
          expect({ seed, scope, period, wrongFacts: a.check(truthOf) }).toEqual({
            seed,
            scope,
            period,
            wrongFacts: [],
          });
          for (const [cell, v] of a.recovered)
            expect({ cell, v }).toEqual({ cell, v: BigInt(truthOf(cell)!) });
          suppressed += a.suppressed;
          recovered += a.recovered.size;
          report.push(
            `seed ${seed} ${scope ?? 'national'} ${period.periodStart}..${period.periodEnd}: ` +
              `${a.recovered.size} of ${a.suppressed} suppressed counts recovered` +
              (a.recovered.size
                ? ` (${[...a.recovered].map(([c, v]) => `${c}=${v}`).join(', ')})`
                : ''),
          );
        }
      }
    }
    process.stdout.write(`${report.join('\n')}\ntotal: ${recovered} of ${suppressed}\n`);
    // The returns must suppress something, or the attack says nothing.
    expect(suppressed).toBeGreaterThan(20);
    expect(recovered).toBe(0);
  }, 600_000);
});
