/**
 * The record keys and keyed cells computed in SQL (what every perturbed answer reads) are the ones
 * the TypeScript definitions give: HMAC-SHA-256 written out with PostgreSQL's sha256 equals
 * `recordKey`, and the keyed cells, population key and published attrition line over generated
 * episodes equal their in-memory definitions.
 */
import { createDataSource, eventStoreMigrations, migrate } from '@app/event-store';
import { createTestSchema } from '@app/event-store/testing';
import {
  COHORT_KINDS,
  EpisodeSource,
  KeyedCount,
  attrition,
  attritionOf,
  loadDefinitions,
  outcomeCells,
  outcomeCellsOf,
  populationKey,
} from '@app/outcomes';
import { FILTERS, SEEDS, randomEpisodes } from '@app/outcomes/read-model/testing/random-episodes';
import { readModelMigrations } from '@app/read-models';
import { DataSource } from 'typeorm';
import { episodeKeyUnits, recordKeySql } from './record-key';

const definitions = loadDefinitions();
const truth = (c: KeyedCount) => c.count;

describe('record keys and keyed cells in SQL', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: DataSource;
  beforeAll(async () => {
    schema = await createTestSchema('cell_keys');
    db = createDataSource(schema.config, [...eventStoreMigrations, ...readModelMigrations]);
    await migrate(db);
  });
  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  it.each([
    ['a 30-byte secret', 'cell-key-secret-for-tests-0123'],
    ['a 32-byte binary secret', Buffer.alloc(32, 0xa7)],
    ['a secret longer than the 64-byte block', 'x'.repeat(100)],
  ])('computes the same record key as recordKey, with %s', async (_name, secret) => {
    const ids = Array.from({ length: 200 }, (_, k) => [`${k}-${'f'.repeat(k % 7)}`, 1 + (k % 3)]);
    const params: unknown[] = [JSON.stringify(ids.map(([f, e]) => ({ family_id: f, episode: e })))];
    const rk = recordKeySql(secret)(params);
    const rows = (await db.query(
      `SELECT e.family_id, e.episode, ${rk} AS rk
       FROM jsonb_to_recordset($1::jsonb) AS e(family_id text, episode int)`,
      params,
    )) as { family_id: string; episode: number; rk: string }[];
    const keyOf = episodeKeyUnits(secret);
    expect(rows.map((r) => Number(r.rk))).toEqual(
      ids.map(([f, e]) => keyOf(f as string, e as number)),
    );
  });

  it('refuses a short secret', () => {
    expect(() => recordKeySql('short')).toThrow(/at least 16 bytes/);
  });

  it('keys a population by its episodes as they stand: any change a count could see re-keys it', async () => {
    const keys = recordKeySql('cell-key-secret-for-tests-0123');
    const episodes = randomEpisodes(definitions, 4);
    const key = async (es: typeof episodes, filter = {}) =>
      populationKey(db, filter, { kind: 'rows', episodes: es }, keys);
    const base = await key(episodes);
    expect(base.count).toBe(episodes.length);
    // The same episodes in another order: the same key.
    expect(await key([...episodes].reverse())).toEqual(base);
    const changed = (f: (e: (typeof episodes)[number]) => (typeof episodes)[number]) =>
      key(episodes.map((e, k) => (k === 17 ? f(e) : e)));
    const e17 = episodes[17];
    for (const variant of [
      { ...e17, status: e17.status === 'exited' ? ('accepted' as const) : ('exited' as const) },
      { ...e17, revisited: !e17.revisited },
      { ...e17, movedArea: !e17.movedArea },
      { ...e17, exitedAt: '2025-02-03T04:05:06.000Z' },
      {
        ...e17,
        evaluationWithdrawnAt: e17.evaluationWithdrawnAt ? null : '2025-01-01T00:00:00.000Z',
      },
      {
        ...e17,
        masks: { ...e17.masks, exit: { ...e17.masks.exit, present: e17.masks.exit.present ^ 4n } },
      },
      { ...e17, supportTypes: [...e17.supportTypes, 'parenting'] },
    ]) {
      const k = await changed(() => variant);
      expect(k.count).toBe(base.count);
      expect(k.key).not.toBe(base.key);
    }
    // One episode fewer: another key.
    expect((await key(episodes.slice(1))).key).not.toBe(base.key);
  });

  it('keys every cohort’s cells and the line as the TypeScript does', async () => {
    const secret = 'cell-key-secret-for-tests-0123';
    const keys = recordKeySql(secret);
    const keyOf = episodeKeyUnits(secret);
    for (const seed of SEEDS) {
      const episodes = randomEpisodes(definitions, seed);
      const source: EpisodeSource = { kind: 'rows', episodes };
      for (const filter of FILTERS) {
        // Published, `referred` is the sum of the places (the generator also makes episodes the
        // decider would refuse, which have no place).
        const line = attritionOf(episodes, filter);
        expect(await attrition(db, filter, source, { keys, publish: truth })).toEqual({
          ...line,
          referred: line.notStarted.total + line.started,
        });
        for (const cohort of COHORT_KINDS) {
          expect(await outcomeCells(db, definitions, filter, cohort, source, keys)).toEqual(
            outcomeCellsOf(episodes, definitions, filter, cohort, keyOf),
          );
        }
      }
    }
  });
});
