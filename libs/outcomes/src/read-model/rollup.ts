/**
 * `outcome_rollup`: the outcomes table's counts per authority, programme, cohort and month, kept
 * by the projection, and the counts read from it when a filter allows.
 */
import { OutcomeDefinitions } from '../definitions';
import { conditionAdder } from '@app/projections/sql';
import { COHORT_KINDS, CohortKind, cohortSql, holdsSql, maskSql } from './cohort';
import { OutcomeCounts, countSpecs, toCounts } from './counts';
import { CohortFilter, Queryable } from './source';

/** The rollup's authority for rows over every authority (no authority code is empty). */
const NATIONAL = '';

/** The date a rollup row is bucketed by, by month (UTC). */
export type RollupDimension = 'referred' | 'exited';
const DIMENSIONS: readonly RollupDimension[] = ['referred', 'exited'];

export interface RollupPlan {
  dim: RollupDimension;
  from?: string;
  before?: string;
}

/** A month's first instant (UTC) as `YYYY-MM-DD`, or undefined if `iso` is not one. */
function monthStart(iso: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const aligned =
    d.getUTCDate() === 1 &&
    d.getUTCHours() === 0 &&
    d.getUTCMinutes() === 0 &&
    d.getUTCSeconds() === 0 &&
    d.getUTCMilliseconds() === 0;
  return aligned ? d.toISOString().slice(0, 10) : undefined;
}

/** Whether the rollup answers this filter exactly: whole months, on one date at most. */
export function rollupPlan(filter: CohortFilter): RollupPlan | undefined {
  const referred = filter.referredFrom !== undefined || filter.referredBefore !== undefined;
  const exited = filter.exitedFrom !== undefined || filter.exitedBefore !== undefined;
  if (referred && exited) return undefined;
  const dim: RollupDimension = exited ? 'exited' : 'referred';
  const [lo, hi] = exited
    ? [filter.exitedFrom, filter.exitedBefore]
    : [filter.referredFrom, filter.referredBefore];
  const from = lo === undefined ? undefined : monthStart(lo);
  const before = hi === undefined ? undefined : monthStart(hi);
  if ((lo !== undefined && !from) || (hi !== undefined && !before)) return undefined;
  return { dim, from, before };
}

/**
 * The counts summed over the rollup's rows, or undefined when a row holds its counts in another
 * layout than `countSpecs` (written by older code, before the migration that rebuilds it): the
 * caller then counts the episode rows, so an upgraded database never reads counts at the wrong
 * offsets.
 */
export async function rollupCounts(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  plan: RollupPlan,
  excludedForConsent: number,
): Promise<OutcomeCounts | undefined> {
  const specs = countSpecs(definitions);
  const params: unknown[] = [cohort, plan.dim];
  const clauses = ['r.cohort = $1', 'r.dim = $2'];
  const add = conditionAdder(params, clauses);
  // Without an authority, the national rows ('' = every authority): a year is a dozen rows.
  add('r.authority = ?', filter.authority ?? NATIONAL);
  if (filter.programme) add('r.programme = ?', filter.programme);
  if (plan.from) add('r.month >= ?::date', plan.from);
  if (plan.before) add('r.month < ?::date', plan.before);
  params.push(specs.length);
  const [row] = (await db.query(
    `WITH r AS (SELECT r.families, r.revisited, r.counts FROM outcome_rollup r
                WHERE ${clauses.join(' AND ')})
     SELECT (SELECT coalesce(sum(families), 0) FROM r) AS families,
            (SELECT coalesce(sum(revisited), 0) FROM r) AS revisited,
            (SELECT count(*) FROM r
             WHERE coalesce(array_length(r.counts, 1), 0) <> $${params.length}::int) AS other_layout,
            (SELECT coalesce(array_agg(total ORDER BY i), '{}') FROM (
               SELECT u.i, sum(u.v) AS total FROM r, unnest(r.counts) WITH ORDINALITY AS u(v, i)
               GROUP BY u.i) t) AS counts`,
    params,
  )) as { families: string; revisited: string; other_layout: string; counts: string[] }[];
  if (Number(row.other_layout) > 0) return undefined;
  const index = new Map(specs.map((c, k) => [`${c.name}_${c.i}`, k]));
  return toCounts(
    definitions,
    Number(row.families),
    Number(row.revisited),
    excludedForConsent,
    (name, i) => Number(row.counts[index.get(`${name}_${i}`)!] ?? 0),
  );
}

/**
 * Adds (`weight` 1) or takes away (-1) the contributions of the named families' episodes, as they
 * now stand in `outcome_episodes`, to `outcome_rollup`. The outcomes projection takes the old rows
 * away before it upserts and adds the new ones after, in its transaction. Each episode counts in
 * every cohort it belongs to, bucketed by its referral month and (once exited) its exit month,
 * under its authority and under the national total (authority '').
 */
export async function updateOutcomeRollup(
  db: Queryable,
  definitions: OutcomeDefinitions,
  familyIds: string[] | 'all',
  weight: 1 | -1,
): Promise<void> {
  const scope = familyIds === 'all' ? '$1::uuid[] IS NULL' : 'e.family_id = ANY($1)';
  // One pass over the families' episodes, each joined to the (cohort, date) buckets it falls in.
  const buckets = COHORT_KINDS.flatMap((cohort) =>
    DIMENSIONS.map(
      (dim) => `('${cohort}', '${dim}', e.${dim}_at, ${cohortSql(cohort)},
        ${maskSql(cohort, 'p')}, ${maskSql(cohort, 'ep')})`,
    ),
  );
  const parts = [
    `SELECT e.authority, e.programme, k.cohort, k.dim,
            date_trunc('month', k.at AT TIME ZONE 'UTC')::date AS month,
            k.p, e.baseline_present AS bp, k.ep, e.follow_up_assessed AS fa,
            e.follow_up_present AS fp, e.revisited
     FROM outcome_episodes e
     CROSS JOIN LATERAL (VALUES ${buckets.join(', ')}) AS k(cohort, dim, at, included, p, ep)
     WHERE ${scope} AND k.included AND k.at IS NOT NULL`,
  ];
  const counts = countSpecs(definitions).map(
    (c) => `count(*) FILTER (WHERE ${holdsSql(c.when, c.i)})`,
  );
  await db.query(
    `INSERT INTO outcome_rollup AS r
       (authority, programme, cohort, dim, month, families, revisited, counts)
     SELECT coalesce(authority, '${NATIONAL}'), programme, cohort, dim, month, $2 * count(*),
            $2 * count(*) FILTER (WHERE revisited),
            ARRAY[${counts.map((c) => `$2 * ${c}`).join(', ')}]::bigint[]
     FROM (${parts.join(' UNION ALL ')}) c
     GROUP BY GROUPING SETS ((authority, programme, cohort, dim, month), (programme, cohort, dim, month))
     ON CONFLICT (authority, programme, cohort, dim, month) DO UPDATE SET
       families = r.families + excluded.families,
       revisited = r.revisited + excluded.revisited,
       counts = ARRAY(SELECT a + b FROM unnest(r.counts, excluded.counts) WITH ORDINALITY AS u(a, b, i)
                      ORDER BY i)`,
    [familyIds === 'all' ? null : familyIds, weight],
  );
  // An empty bucket is no bucket: a replay in another order must give the same rows.
  if (weight === 1) await db.query('DELETE FROM outcome_rollup WHERE families = 0');
}
