/**
 * Every count a return publishes, through cell-key perturbation (issue 14: "apply it to every
 * return"). A table over a filter publishes its counts through the publisher of that filter's
 * population (every episode the filter matches, `populationKey`), so the same filter always gets
 * the same publisher: a count shown in two tables (a cohort's families in its outcomes table and
 * in the cost table; the completed revisits of both follow-up tables) is the same published
 * number, and rebuilding the return at its position gives the same bytes.
 *
 * Inside a table the lines hold: its finest cells are published and every other count is their
 * sum (`countsFromCells`, the attrition line's places, the follow-ups' on time + late), never a
 * total and a part perturbed apart. Money is computed from the published transitions of the same
 * cells through the same publisher (`savingsFor`'s `published`), so it is the money of the counts
 * the outcomes table shows.
 */
import {
  Attrition,
  CohortFilter,
  CohortKind,
  CohortSummary,
  OutcomeCounts,
  attrition,
  cohortSummary,
  countsFromCells,
  outcomeCells,
  populationKey,
} from '@app/outcomes';
import type { ComposeContext } from './builder';
import { CellKeys, Publish, publisher } from './cell-key';
import type { FollowUpCells, ReturnRecords } from './read-models';

/** Revisits as published: completed is on time + late. */
export interface PublishedFollowUps {
  completed: number;
  onTime: number;
  late: number;
  missed: number;
}

export interface PublishedCounts {
  /** The publisher of a table over `filter`. */
  publisher(filter: CohortFilter): Promise<Publish>;
  /** The attrition line over `filter`, place by place. */
  attrition(filter: CohortFilter): Promise<Attrition>;
  /** The cohort summary over `filter` (its accounting places and the planned exits' inputs). */
  summary(filter: CohortFilter): Promise<CohortSummary>;
  /**
   * A cohort's outcome counts. All who started are a step of the attrition line (the sum of its
   * published places after the start), so their families are that step: the same count, once.
   */
  outcomes(filter: CohortFilter, cohort: CohortKind): Promise<OutcomeCounts>;
  /** The period's revisits, published from their own population (the revisits in the period). */
  followUps(): PublishedFollowUps;
}

const memo = <T>(run: (key: string) => Promise<T>) => {
  const seen = new Map<string, Promise<T>>();
  return (key: string) => {
    if (!seen.has(key)) seen.set(key, run(key));
    return seen.get(key)!;
  };
};

/** The published counts of one return, over its records (`ctx.cellKeys`: the keys and ptable). */
export function publishedCounts(ctx: ComposeContext, records: ReturnRecords): PublishedCounts {
  const { sql: keys, ptable } = ctx.cellKeys;
  const source = records.episodes;
  const filters = new Map<string, CohortFilter>();
  const named = (filter: CohortFilter) => {
    const k = JSON.stringify(filter);
    filters.set(k, filter);
    return k;
  };
  const publishers = memo(async (k) =>
    publisher(await populationKey(ctx.db, filters.get(k)!, source, keys), ptable),
  );
  const lines = memo(async (k) =>
    attrition(ctx.db, filters.get(k)!, source, { keys, publish: await publishers(k) }),
  );
  const summaries = memo(async (k) =>
    cohortSummary(ctx.db, filters.get(k)!, source, { keys, publish: await publishers(k) }),
  );
  return {
    publisher: (filter) => publishers(named(filter)),
    attrition: (filter) => lines(named(filter)),
    summary: (filter) => summaries(named(filter)),
    async outcomes(filter, cohort) {
      const publish = await publishers(named(filter));
      const cells = await outcomeCells(ctx.db, ctx.definitions, filter, cohort, source, keys);
      const counts = countsFromCells(ctx.definitions, cells, publish);
      if (cohort !== 'all_started') return counts;
      return { ...counts, families: (await lines(named(filter))).started };
    },
    followUps: () => publishedFollowUps(records.followUps, ctx.cellKeys),
  };
}

/** The period's revisits published by the publisher of their population: every one of them. */
export function publishedFollowUps(cells: FollowUpCells, { ptable }: CellKeys) {
  const all = [cells.onTime, cells.late, cells.missed];
  const publish = publisher(
    {
      count: all.reduce((s, c) => s + c.count, 0),
      key: all.reduce((s, c) => (s + c.key) % 2 ** 32, 0),
    },
    ptable,
  );
  const [onTime, late, missed] = all.map(publish);
  return { completed: onTime + late, onTime, late, missed };
}
