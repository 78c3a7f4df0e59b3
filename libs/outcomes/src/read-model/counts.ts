/**
 * The outcomes table's counts, defined once: per domain, thirteen conjunctions of a cohort episode's
 * masks. The SQL (`outcomes.queries.ts`, the rollup) is generated from these; `countOutcomes` is
 * the same count in TypeScript, over episodes in memory.
 */
import { OutcomeDefinitions } from '../definitions';
import { EpisodeOutcome } from '../episode-outcomes';
import { DomainCounts } from '../table';
import {
  CohortKind,
  Conjunction,
  TRANSITIONS,
  cohortMasksOf,
  excludedFromCohort,
  holds,
  inCohort,
} from './cohort';
import { CohortFilter, matchesFilter } from './source';

export interface OutcomeCounts {
  /** Family episodes in the cohort. */
  families: number;
  /** Of them, episodes whose twelve-month revisit was completed: the one-year-on column's n. */
  revisited: number;
  /** Episodes the cohort would hold but for the consent rule (`excludedFromCohort`). */
  excludedForConsent: number;
  domains: DomainCounts[];
}

/** One count of the outcomes table: domain `i` satisfies `when` in the cohort's masks. */
export interface CountSpec {
  name: string;
  i: number;
  when: Conjunction;
}

const { baselineToExit: toEnd } = TRANSITIONS;

/**
 * The thirteen counts per domain, in a fixed order (the rollup stores them as an array in this order:
 * a change of order or number needs the rollup rebuilt, see `OutcomeCountLayout1765000000001`).
 * `n`…`ap` are the baseline-to-end pairs (with `both`, the paired 2×2 table); `fn`…`fbf` are the
 * one-year-on panel: the same families, assessed at baseline, the end point and one year on (`fbf`:
 * present at baseline and one year on, the panel's paired table with `fb`, `f` and `fn`).
 */
export function countSpecs(definitions: OutcomeDefinitions): CountSpec[] {
  return definitions.domains.flatMap((domain, i) => {
    // Improved: had the condition at baseline and not at the end (the reverse for "no ASB").
    const had: Conjunction = domain.lowerIsBetter ? ['bp', '~ep'] : ['~bp', 'ep'];
    const keeps: Conjunction = domain.lowerIsBetter ? ['~fp'] : ['fp'];
    return [
      { name: 'n', i, when: toEnd.pairs },
      { name: 'baseline', i, when: ['p', 'bp'] },
      { name: 'end', i, when: ['p', 'ep'] },
      { name: 'pa', i, when: toEnd.improved },
      { name: 'ap', i, when: toEnd.worsened },
      { name: 'fn', i, when: ['p', 'fa'] },
      { name: 'f', i, when: ['p', 'fa', 'fp'] },
      { name: 'imp', i, when: ['p', 'fa', ...had] },
      { name: 'kept', i, when: ['p', 'fa', ...had, ...keeps] },
      { name: 'both', i, when: ['p', 'bp', 'ep'] },
      { name: 'fb', i, when: ['p', 'fa', 'bp'] },
      { name: 'fe', i, when: ['p', 'fa', 'ep'] },
      { name: 'fbf', i, when: ['p', 'fa', 'bp', 'fp'] },
    ];
  });
}

export function toCounts(
  definitions: OutcomeDefinitions,
  families: number,
  revisited: number,
  excludedForConsent: number,
  get: (name: string, i: number) => number,
): OutcomeCounts {
  return {
    families,
    revisited,
    excludedForConsent,
    domains: definitions.domains.map((_d, i) => ({
      n: get('n', i),
      baseline: get('baseline', i),
      end: get('end', i),
      presentToAbsent: get('pa', i),
      absentToPresent: get('ap', i),
      followUpN: get('fn', i),
      followUp: get('f', i),
      improvedFollowedUp: get('imp', i),
      kept: get('kept', i),
      both: get('both', i),
      followUpBaseline: get('fb', i),
      followUpEnd: get('fe', i),
      followUpBoth: get('fbf', i),
    })),
  };
}

/** The counts over episodes in memory: the definition the SQL is held equal to. */
export function countOutcomes(
  episodes: readonly EpisodeOutcome[],
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  cohort: CohortKind,
): OutcomeCounts {
  const members = episodes.filter((e) => matchesFilter(filter, e) && inCohort(cohort, e));
  const masks = members.map((e) => cohortMasksOf(cohort, e));
  const specs = countSpecs(definitions);
  const tally = new Map(
    specs.map((c) => [`${c.name}_${c.i}`, masks.filter((m) => holds(c.when, m, c.i)).length]),
  );
  return toCounts(
    definitions,
    members.length,
    members.filter((e) => e.revisited).length,
    episodes.filter((e) => matchesFilter(filter, e) && excludedFromCohort(cohort, e)).length,
    (name, i) => tally.get(`${name}_${i}`)!,
  );
}
