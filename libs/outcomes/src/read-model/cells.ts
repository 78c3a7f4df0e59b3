/**
 * The outcomes table's counts from its finest cells, for figures published under cell-key
 * perturbation (issue 14; the perturbation itself is @app/returns' `cell-key`).
 *
 * Each domain's table is a cross-classification of the cohort's paired families: present or not
 * at baseline and at the end point, and, for those assessed one year on, present or not then. Its
 * twelve finest cells (`ATOMS`) hold every paired family exactly once, and every count of
 * `countSpecs` is a sum of some of them. Publishing the finest cells (each through `publish`, the
 * perturbation) and summing keeps every domain's table whole: its four paired cells make its n and
 * its margins, the panel is part of n, and its percentages, intervals and tests follow from the
 * counts shown. The cohort's families, revisited families and consent exclusions are cells of
 * their own. With `publish` the true count, this is `countOutcomes` (held equal by cells.spec.ts).
 */
import { OutcomeDefinitions } from '../definitions';
import { EpisodeOutcome } from '../episode-outcomes';
import {
  CohortKind,
  CohortMasks,
  Conjunction,
  MASK_NAMES,
  TRANSITIONS,
  cohortMasksOf,
  excludedFromCohort,
  holds,
  inCohort,
} from './cohort';
import { OutcomeCounts, countSpecs, toCounts } from './counts';
import type { TransitionCounts, TransitionPeriod } from './outcomes.queries';
import { CohortFilter, matchesFilter } from './source';

/**
 * A count and its records' key: the sum of their record keys modulo 2^32, in whole units (a record
 * key is k / 2^32). The key is what cell-key perturbation draws a cell's noise from.
 */
export interface KeyedCount {
  count: number;
  key: number;
}

/** One episode's record key in whole units of 2^-32, from its family and episode. */
export type RecordKeyOf = (familyId: string, episode: number) => number;

/**
 * A SQL expression for the record key of the row aliased `e` (or `alias`: its `family_id` and
 * `episode`), a bigint in [0, 2^32): the same key as `RecordKeyOf` (held equal by a test), its
 * parameters pushed.
 */
export type RecordKeySql = (params: unknown[], alias?: string, state?: string) => string;

/** Publishes one keyed cell: the count an answer shows for it (perturbed, or the true count). */
export type Publish = (cell: KeyedCount) => number;

/** How an answer publishes its counts: the record keys its SQL sums, and the publisher. */
export interface Published {
  keys: RecordKeySql;
  publish: Publish;
  /**
   * The publisher with its scope widened by another key (records the population's key does not
   * cover, such as revisits): when they change, the cells published through it change too.
   */
  within?: (extra: KeyedCount) => Publish;
}

const KEY_UNITS = 2 ** 32;

/** The finest cells of one domain's table (see above), in a fixed order. */
export const ATOMS: readonly Conjunction[] = (() => {
  const both = (m: 'bp' | 'ep' | 'fp') => [m, `~${m}`] as const;
  const out: Conjunction[] = [];
  for (const b of both('bp')) for (const e of both('ep')) out.push(['p', b, e, '~fa']);
  for (const b of both('bp'))
    for (const e of both('ep')) for (const f of both('fp')) out.push(['p', b, e, 'fa', f]);
  return out;
})();

/** A single domain's masks (at bit 0) where the atom holds. */
const ATOM_MASKS: CohortMasks[] = ATOMS.map(
  (a) => Object.fromEntries(MASK_NAMES.map((m) => [m, a.includes(m) ? 1n : 0n])) as CohortMasks,
);

/** Which atoms make up a conjunction (a count of `countSpecs` or `TRANSITIONS`). */
export const atomsOf = (c: Conjunction): number[] =>
  ATOM_MASKS.flatMap((m, j) => (holds(c, m, 0) ? [j] : []));

/** The keyed cells of one cohort's outcomes table. */
export interface OutcomeCells {
  families: KeyedCount;
  revisited: KeyedCount;
  excludedForConsent: KeyedCount;
  /** Per domain (in definition order), the `ATOMS` cells. */
  atoms: KeyedCount[][];
}

/** The counts from published cells: `publish` gives each finest cell's published count. */
export function countsFromCells(
  definitions: OutcomeDefinitions,
  cells: OutcomeCells,
  publish: (cell: KeyedCount) => number,
): OutcomeCounts {
  const published = cells.atoms.map((domain) => domain.map(publish));
  const sums = new Map(
    countSpecs(definitions).map((c) => [
      `${c.name}_${c.i}`,
      atomsOf(c.when).reduce((s, j) => s + published[c.i][j], 0),
    ]),
  );
  return toCounts(
    definitions,
    publish(cells.families),
    publish(cells.revisited),
    publish(cells.excludedForConsent),
    (name, i) => sums.get(`${name}_${i}`)!,
  );
}

/**
 * A cohort's published counts beside the attrition line's: all who started are the line's step
 * after the start (the sum of its published places), so the same count is shown once, as one
 * number. (Planned exits are a place of the line and a cell of their own: the same families, the
 * same key, the same number.)
 */
export function onTheLine(
  counts: OutcomeCounts,
  cohort: CohortKind,
  line: { started: number },
): OutcomeCounts {
  return cohort === 'all_started' ? { ...counts, families: line.started } : counts;
}

/** Cost avoidance's transitions of domain `bit` from its published cells (`TRANSITIONS`). */
export function transitionsFromCells(
  atoms: readonly KeyedCount[],
  publish: (cell: KeyedCount) => number,
): Record<TransitionPeriod, TransitionCounts> {
  const published = atoms.map(publish);
  const sum = (c: Conjunction) => atomsOf(c).reduce((s, j) => s + published[j], 0);
  const of = (p: TransitionPeriod): TransitionCounts => ({
    pairs: sum(TRANSITIONS[p].pairs),
    improved: sum(TRANSITIONS[p].improved),
    worsened: sum(TRANSITIONS[p].worsened),
  });
  return { baselineToExit: of('baselineToExit'), baselineToFollowUp: of('baselineToFollowUp') };
}

const keyed = (records: readonly EpisodeOutcome[], keyOf: RecordKeyOf): KeyedCount => ({
  count: records.length,
  key: records.reduce((s, e) => (s + keyOf(e.familyId, e.episode)) % KEY_UNITS, 0),
});

/** The cells over episodes in memory: the definition the SQL (`outcomeCells`) is held equal to. */
export function outcomeCellsOf(
  episodes: readonly EpisodeOutcome[],
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
  keyOf: RecordKeyOf,
): OutcomeCells {
  const members = episodes.filter((e) => matchesFilter(filter, e) && inCohort(cohort, e));
  const masks = members.map((e) => cohortMasksOf(cohort, e));
  return {
    families: keyed(members, keyOf),
    revisited: keyed(
      members.filter((e) => e.revisited),
      keyOf,
    ),
    excludedForConsent: keyed(
      episodes.filter((e) => matchesFilter(filter, e) && excludedFromCohort(cohort, e)),
      keyOf,
    ),
    atoms: definitions.domains.map((_d, i) =>
      ATOMS.map((a) =>
        keyed(
          members.filter((_e, k) => holds(a, masks[k], i)),
          keyOf,
        ),
      ),
    ),
  };
}
