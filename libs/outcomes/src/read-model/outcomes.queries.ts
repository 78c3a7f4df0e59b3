/**
 * Queries over the outcomes read model. Each takes an episode source: the `outcome_episodes` table
 * (the live answer), a table of its shape (a return's episodes as at a position) or, for "as at"
 * answers, episodes re-derived from the events recorded by then, passed as JSON: the same SQL runs
 * over all of them, so the answers cannot drift apart. The SQL is generated from the cohort rules
 * (`cohort.ts`) and counts (`counts.ts`).
 */
import { OutcomeDefinitions } from '../definitions';
import {
  CohortKind,
  CohortMasks,
  MASK_NAMES,
  TRANSITIONS,
  TransitionRules,
  cohortSql,
  excludedForConsentSql,
  excludedFromCohortSql,
  holdsSql,
  masksSql,
} from './cohort';
import type { RecordKeySql } from './cells';
import { OutcomeCounts, countSpecs, toCounts } from './counts';
import { rollupCounts, rollupPlan } from './rollup';
import { CohortFilter, EpisodeSource, LIVE, Queryable, filterSql, fromSql, isLive } from './source';

/**
 * The cohort's episodes as rows of domain bit masks (`cohort.ts`'s `p`, `bp`, `ep`, `fa`, `fp`).
 * One definition of the cohort and its end point for every query over it.
 */
export function cohortMasks(
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  params: unknown[],
  /** With the episodes' record keys as `rk` (cell-key perturbation). */
  keys?: RecordKeySql,
): string {
  const src = fromSql(source, params);
  const clauses = [...filterSql(filter, params), cohortSql(cohort)];
  const rk = keys ? `, ${keys(params)} AS rk` : '';
  return `
      SELECT e.family_id, e.episode, e.revisited, ${masksSql(cohort)}${rk}
      FROM ${src}
      WHERE ${clauses.join(' AND ')}`;
}

/**
 * How many of the filter's episodes eligible for the cohort the consent rule leaves out
 * (`excludedFromCohort`): what every evaluator output states as `excludedForConsent`.
 */
export async function consentExclusions(
  db: Queryable,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource = LIVE,
): Promise<number> {
  const params: unknown[] = [];
  const src = fromSql(source, params);
  const clauses = [...filterSql(filter, params), excludedFromCohortSql(cohort)];
  const [row] = (await db.query(
    `SELECT count(*) AS n FROM ${src} WHERE ${clauses.join(' AND ')}`,
    params,
  )) as { n: string }[];
  return Number(row.n);
}

/** How many of the filter's episodes (any status) the consent rule leaves out (`excludedForConsent`). */
export async function excludedEpisodes(
  db: Queryable,
  filter: CohortFilter,
  source: EpisodeSource = LIVE,
): Promise<number> {
  const params: unknown[] = [];
  const src = fromSql(source, params);
  const clauses = [...filterSql(filter, params), excludedForConsentSql];
  const [row] = (await db.query(
    `SELECT count(*) AS n FROM ${src} WHERE ${clauses.join(' AND ')}`,
    params,
  )) as { n: string }[];
  return Number(row.n);
}

export interface OutcomeCountOptions {
  /** Use `outcome_rollup` when the filter allows (default); false forces the episode rows. */
  rollup?: boolean;
}

/**
 * Per-domain counts over a cohort. From the per-authority, per-month `outcome_rollup` when the
 * filter is whole months on at most one date (referral or exit) over the live model, so a national
 * year is a few thousand rows whatever the number of families; otherwise in one pass over the
 * episodes, every count a FILTER over bit masks. Both give the same numbers (tested), and the
 * same as `countOutcomes` (tested over generated episodes).
 */
export async function outcomeCounts(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource = LIVE,
  options: OutcomeCountOptions = {},
): Promise<OutcomeCounts> {
  // The rollup sums the live table only.
  const plan = isLive(source) && options.rollup !== false && rollupPlan(filter);
  // The consent count and the counts are independent: asked side by side, an answer waits for
  // one round trip, not two.
  const [excludedForConsent, counts] = await Promise.all([
    consentExclusions(db, filter, cohort, source),
    (plan ? rollupCounts(db, definitions, filter, cohort, plan, 0) : Promise.resolve(undefined))
      // A rollup in an older layout (`rollupCounts`) or none asked for: the episode rows.
      .then((rolled) => rolled ?? rowCounts(db, definitions, filter, cohort, source)),
  ]);
  return { ...counts, excludedForConsent };
}

/** `outcomeCounts` in one pass over the episodes (the consent count aside). */
async function rowCounts(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
): Promise<OutcomeCounts> {
  const params: unknown[] = [];
  const counts = countSpecs(definitions).map(
    (c) => `count(*) FILTER (WHERE ${holdsSql(c.when, c.i)}) AS ${c.name}_${c.i}`,
  );
  const sql = `
    WITH c AS (${cohortMasks(filter, cohort, source, params)})
    SELECT count(*) AS families, count(*) FILTER (WHERE c.revisited) AS revisited,
           ${counts.join(', ')} FROM c`;
  const [row] = (await db.query(sql, params)) as Record<string, string>[];
  return toCounts(definitions, Number(row.families), Number(row.revisited), 0, (name, i) =>
    Number(row[`${name}_${i}`]),
  );
}

/** Pairs, improved and worsened, of one period of `TRANSITIONS`. */
export type TransitionCounts = Record<keyof TransitionRules, number>;
export type TransitionPeriod = keyof typeof TRANSITIONS;
const PERIODS = Object.keys(TRANSITIONS) as TransitionPeriod[];
const RULES = ['pairs', 'improved', 'worsened'] as const;

/**
 * Cost avoidance's counts over a cohort: per domain bit, the `TRANSITIONS` of its episodes (one
 * pass, every count a FILTER over the masks).
 */
export async function transitionCounts(
  db: Queryable,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
  bits: readonly number[],
): Promise<{
  families: number;
  excludedForConsent: number;
  domains: Record<TransitionPeriod, TransitionCounts>[];
}> {
  const params: unknown[] = [];
  // Lower case: PostgreSQL folds the aliases.
  const column = (i: number, p: TransitionPeriod, r: string) => `${r}_${PERIODS.indexOf(p)}_${i}`;
  const counts = bits.flatMap((bit, i) =>
    PERIODS.flatMap((p) =>
      RULES.map(
        (r) => `count(*) FILTER (WHERE ${holdsSql(TRANSITIONS[p][r], bit)}) AS ${column(i, p, r)}`,
      ),
    ),
  );
  const [rows, excludedForConsent] = await Promise.all([
    db.query(
      `WITH c AS (${cohortMasks(filter, cohort, source, params)})
       SELECT ${['count(*) AS families', ...counts].join(', ')} FROM c`,
      params,
    ) as Promise<Record<string, string>[]>,
    consentExclusions(db, filter, cohort, source),
  ]);
  const [row] = rows;
  const domains = bits.map((_bit, i) => {
    const of = (p: TransitionPeriod) =>
      Object.fromEntries(RULES.map((r) => [r, Number(row[column(i, p, r)])])) as TransitionCounts;
    return Object.fromEntries(PERIODS.map((p) => [p, of(p)])) as Record<
      TransitionPeriod,
      TransitionCounts
    >;
  });
  return {
    families: Number(row.families),
    excludedForConsent,
    domains,
  };
}

/** The cohort's episodes with their masks, by family and episode (family-level data). */
export async function cohortEpisodeMasks(
  db: Queryable,
  filter: CohortFilter,
  cohort: CohortKind,
  source: EpisodeSource,
): Promise<{ familyId: string; episode: number; masks: CohortMasks }[]> {
  const params: unknown[] = [];
  const rows = (await db.query(
    `SELECT family_id, episode, ${MASK_NAMES.map((m) => `${m}::text`).join(', ')}
     FROM (${cohortMasks(filter, cohort, source, params)}) c ORDER BY family_id, episode`,
    params,
  )) as (Record<'family_id' | (typeof MASK_NAMES)[number], string> & { episode: number })[];
  return rows.map((r) => ({
    familyId: r.family_id,
    episode: Number(r.episode),
    masks: Object.fromEntries(MASK_NAMES.map((m) => [m, BigInt(r[m])])) as CohortMasks,
  }));
}
