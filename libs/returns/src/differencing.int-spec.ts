import { createDataSource, eventStoreMigrations, migrate } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import { definitionsFromEnv } from '@app/outcomes';
import { readModelMigrations } from '@app/read-models';
import { savingsMigrations } from '@app/savings';
import { securityMigrations } from '@app/security';
import { generateFamilies } from '@app/workload';
import { DataSource } from 'typeorm';
import { ReturnRequest, composeReturn, periodBounds } from './builder';
import { CellKeys, PTABLE_V1 } from './cell-key';
import { ReturnContent } from './content';
import { savingsCostAvoidance } from './costs';
import { followUpsInPeriod } from './read-models';
import { Records, TimelineRow, foldRows } from './records';
import { DEFAULT_SPEC, specNamed } from './spec';
import { exactCellKeys, testCellKeys, testKeyOf } from './testing/cell-keys';

/**
 * Issue 14 item 2, for returns: two returns whose records differ by one family (a return for a
 * period, and the same with one family referred in it left out: what two returns over periods a
 * day apart can give a reader) no longer differ by that family. Without perturbation every count
 * the two publish differs by exactly the family's own contribution, so the difference reads the
 * family's flags; with it, the counts of the two returns are drawn afresh (the populations' keys
 * differ), and the difference of what is published is mostly not the difference of the truth.
 */
const definitions = definitionsFromEnv();
const spec = specNamed(DEFAULT_SPEC)!;
const costs = savingsCostAvoidance();
const PERIOD = { periodStart: '2025-04-01', periodEnd: '2026-03-31' };
const request: ReturnRequest = { authority: 'la_mid', ...PERIOD };
const PAIRS = 12;

/** The published count cells of a return, by id (numbers only: `[c]` and figures left out). */
function counts(content: ReturnContent): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of content.sections.flatMap((s) => s.tables)) {
    const units = new Map(t.columns.map((c) => [c.id, c.unit]));
    for (const r of t.rows)
      for (const [c, v] of Object.entries(r.values))
        if (typeof v === 'number' && (units.get(c) === 'families' || units.get(c) === 'revisits'))
          out.set(`${t.id}.${r.id}.${c}`, v);
  }
  return out;
}

describe('differencing two returns whose families differ by one', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('returns_differencing');
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

  const build = (records: Records, cellKeys: CellKeys) =>
    composeReturn({ db, definitions, software: 'test', cellKeys, costs }, spec, request, 0n, {
      episodes: { kind: 'rows', episodes: records.episodes },
      followUps: followUpsInPeriod(records.followUps, periodBounds(request), testKeyOf),
    });

  it('the difference of what is published is mostly not the truth’s; the same records give the same bytes', async () => {
    const families = generateFamilies({
      seed: 'differencing',
      families: 500,
      authorities: ['la_big', 'la_mid'],
      from: '2024-04-01T00:00:00.000Z',
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
    const records = foldRows(rows, definitions, 'la_mid');
    const { from, before } = periodBounds(request);
    const referred = [
      ...new Set(
        records.episodes
          .filter((e) => e.referredAt >= from && e.referredAt < before)
          .map((e) => e.familyId),
      ),
    ].slice(0, PAIRS);
    expect(referred).toHaveLength(PAIRS);

    const full = { exact: counts((await build(records, exactCellKeys)).content) };
    const published = await build(records, testCellKeys);
    // Byte-reproducible: the same records, keys and ptable give the same bytes.
    expect((await build(records, testCellKeys)).json).toBe(published.json);
    expect(published.content.disclosure.perturbation?.ptable).toBe(PTABLE_V1.id);
    expect(published.content.provenance.ptable).toBe(PTABLE_V1.id);
    const shown = counts(published.content);

    let changed = 0;
    let readExactly = 0;
    for (const familyId of referred) {
      const without: Records = {
        episodes: records.episodes.filter((e) => e.familyId !== familyId),
        followUps: records.followUps.filter((f) => f.familyId !== familyId),
      };
      const exact = counts((await build(without, exactCellKeys)).content);
      const perturbed = counts((await build(without, testCellKeys)).content);
      for (const [cell, before] of full.exact) {
        const after = exact.get(cell);
        if (after === undefined || after === before) continue;
        const [a, b] = [shown.get(cell), perturbed.get(cell)];
        if (a === undefined || b === undefined) continue;
        changed++;
        if (a - b === before - after) readExactly++;
      }
    }
    process.stdout.write(
      `${readExactly} of ${changed} changed counts differ by the truth's difference when perturbed ` +
        `(unperturbed: every one)\n`,
    );
    expect(changed).toBeGreaterThan(50);
    // A count and its neighbour perturbed independently (variance 3 each) differ by the truth
    // about one time in six; not one time in two, let alone every time.
    expect(readExactly / changed).toBeLessThan(0.5);
  }, 300_000);
});
