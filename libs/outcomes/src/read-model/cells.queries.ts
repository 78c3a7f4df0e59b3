/**
 * The keyed cells of `cells.ts` from the read model (or a return's episodes, or episodes as at a
 * position: any `EpisodeSource`), in one pass: every cell's count and its records' key, summed
 * modulo 2^32. The SQL is generated from `ATOMS` and the cohort rules, as the counts' is.
 */
import { OutcomeDefinitions } from '../definitions';
import {
  ATOMS,
  KeyedCount,
  OutcomeCells,
  Published,
  RecordKeySql,
  transitionsFromCells,
} from './cells';
import { CohortKind, excludedFromCohortSql, holdsSql } from './cohort';
import { cohortMasks } from './outcomes.queries';
import { CohortFilter, EpisodeSource, Queryable, filterSql, fromSql } from './source';

const MOD = '4294967296';

/**
 * `count(*)` and the key sum (`rk`) of the rows where `condition` holds, as `<alias>` and
 * `<alias>_k`.
 */
export const keyedCount = (condition: string | null, alias: string): string => {
  const where = condition ? ` FILTER (WHERE ${condition})` : '';
  return `count(*)${where} AS ${alias}, coalesce(sum(rk)${where}, 0) % ${MOD} AS ${alias}_k`;
};

/**
 * The count SQL of a query that may be published: `keyedCount` when it is (its rows carry `rk`),
 * a plain `count(*)` when not.
 */
export const countedSql =
  (published: Published | undefined) =>
  (condition: string | null, alias: string): string =>
    published
      ? keyedCount(condition, alias)
      : `count(*)${condition ? ` FILTER (WHERE ${condition})` : ''} AS ${alias}`;

/** The count aliased `alias` of a `countedSql` row as shown: published, or the true count. */
export const shownCount =
  (published: Published | undefined) =>
  (row: Record<string, unknown>, alias: string): number =>
    published
      ? published.publish({ count: Number(row[alias] ?? 0), key: Number(row[`${alias}_k`] ?? 0) })
      : Number(row[alias] ?? 0);

/**
 * One keyed count of the filter's episodes over `source` where `condition` holds (all of them
 * without one), each episode keyed by its id or, with `state`, by its id and that state.
 */
export async function keyedEpisodes(
  db: Queryable,
  filter: CohortFilter,
  source: EpisodeSource,
  keys: RecordKeySql,
  condition?: string,
  state?: string,
): Promise<KeyedCount> {
  const params: unknown[] = [];
  const src = fromSql(source, params);
  const clauses = [...filterSql(filter, params), ...(condition ? [condition] : [])];
  const rk = keys(params, 'e', state);
  const [row] = (await db.query(
    `SELECT ${keyedCount(null, 'n')}
     FROM (SELECT ${rk} AS rk FROM ${src}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''}) x`,
    params,
  )) as Record<string, string>[];
  return cell(row, 'n');
}

/** The `keyedCount` aliased `alias` of a result row. */
export const cell = (row: Record<string, string>, alias: string): KeyedCount => ({
  count: Number(row[alias]),
  key: Number(row[`${alias}_k`]),
});

/** One cohort's keyed cells (`OutcomeCells`) over `source`, every domain's. */
export async function outcomeCells(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  keys: RecordKeySql,
): Promise<OutcomeCells> {
  const bits = definitions.domains.map((_d, i) => i);
  return keyedCells(db, filter, cohort, source, keys, bits);
}

/**
 * `transitionCounts` published: per domain bit, the pairs, improved and worsened as sums of the
 * domain's published finest cells (the same cells, so the same numbers, as the outcomes table's),
 * the families and consent exclusions as cells of their own.
 */
export async function publishedTransitionCounts(
  db: Queryable,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  bits: readonly number[],
  { keys, publish }: Published,
) {
  const cells = await keyedCells(db, filter, cohort, source, keys, bits);
  return {
    families: publish(cells.families),
    excludedForConsent: publish(cells.excludedForConsent),
    domains: cells.atoms.map((atoms) => transitionsFromCells(atoms, publish)),
  };
}

/** The keyed cells over the domains `bits` (`atoms[k]` is bit `bits[k]`'s). */
async function keyedCells(
  db: Queryable,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  keys: RecordKeySql,
  bits: readonly number[],
): Promise<OutcomeCells> {
  const params: unknown[] = [];
  const atoms = bits.flatMap((bit, i) =>
    ATOMS.map((a, j) => keyedCount(holdsSql(a, bit), `a${j}_${i}`)),
  );
  const sql = `
    WITH c AS (${cohortMasks(filter, cohort, source, params, keys)})
    SELECT ${[keyedCount(null, 'families'), keyedCount('c.revisited', 'revisited'), ...atoms].join(', ')}
    FROM c`;
  const [[row], ex] = await Promise.all([
    db.query(sql, params) as Promise<Record<string, string>[]>,
    keyedEpisodes(db, filter, source, keys, excludedFromCohortSql(cohort)),
  ]);
  return {
    families: cell(row, 'families'),
    revisited: cell(row, 'revisited'),
    excludedForConsent: ex,
    atoms: bits.map((_bit, i) => ATOMS.map((_a, j) => cell(row, `a${j}_${i}`))),
  };
}

/**
 * An episode's state as text: every column a published count reads (filters, cohort rules,
 * masks, the summary's inputs, consent), instants as epoch seconds so the text does not depend on
 * the session's time zone. Two rows give the same text only if every answer counts them alike.
 */
export const EPISODE_STATE_SQL = [
  ...['authority', 'programme', 'status', 'refusal_stage', 'exit_type', 'moved_area', 'revisited'],
  ...['baseline', 'exit', 'latest', 'follow_up'].flatMap((p) => [`${p}_assessed`, `${p}_present`]),
  ...['early_weekly_hours', 'late_weekly_hours', 'support_types'],
]
  .map((c) => `coalesce(e.${c}::text, '')`)
  .concat(
    [
      'referred_at',
      'offered_at',
      'accepted_at',
      'support_plan_agreed_at',
      'refused_at',
      'exited_at',
      'evaluation_withdrawn_at',
    ].map((c) => `coalesce(extract(epoch FROM e.${c})::text, '')`),
  )
  .join(" || '|' || ");

/**
 * The key of the population a query is over, as it stands: every episode its filter matches,
 * whatever its status or consent, each keyed with its state (`EPISODE_STATE_SQL`). Cell keys are
 * scoped by it, so when the population changes by one family, or one family's record changes in a
 * way any answer could count, every cell of the answer is perturbed afresh (`scopedCellKey`): the
 * cells a change did not touch do not stay visibly the same.
 */
export async function populationKey(
  db: Queryable,
  filter: CohortFilter,
  source: EpisodeSource,
  keys: RecordKeySql,
): Promise<KeyedCount> {
  return keyedEpisodes(db, filter, source, keys, undefined, EPISODE_STATE_SQL);
}
