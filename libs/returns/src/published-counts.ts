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
  Published,
  attrition,
  cohortSummary,
  countsFromCells,
  onTheLine,
  outcomeCells,
  populationKey,
} from '@app/outcomes';
import type { ComposeContext } from './builder';
import { CellKeys, publishedOver, publisher } from './cell-key';
import type { FollowUpCells, ReturnRecords } from './read-models';

/** Revisits as published: completed is on time + late. */
export interface PublishedFollowUps {
  completed: number;
  onTime: number;
  late: number;
  missed: number;
}

export interface PublishedCounts {
  /** How a table over `filter` publishes: the keys and the publisher of its population. */
  published(filter: CohortFilter): Promise<Published>;
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
  const keys = ctx.cellKeys.sql;
  const source = records.episodes;
  const filters = new Map<string, CohortFilter>();
  const named = (filter: CohortFilter) => {
    const k = JSON.stringify(filter);
    filters.set(k, filter);
    return k;
  };
  const publishers = memo(async (k) =>
    publishedOver(ctx.cellKeys, await populationKey(ctx.db, filters.get(k)!, source, keys)),
  );
  const lines = memo(async (k) => attrition(ctx.db, filters.get(k)!, source, await publishers(k)));
  const summaries = memo(async (k) =>
    cohortSummary(ctx.db, filters.get(k)!, source, await publishers(k)),
  );
  return {
    published: (filter) => publishers(named(filter)),
    attrition: (filter) => lines(named(filter)),
    summary: (filter) => summaries(named(filter)),
    async outcomes(filter, cohort) {
      const { publish } = await publishers(named(filter));
      const cells = await outcomeCells(ctx.db, ctx.definitions, filter, cohort, source, keys);
      const counts = countsFromCells(ctx.definitions, cells, publish);
      return cohort === 'all_started'
        ? onTheLine(counts, cohort, await lines(named(filter)))
        : counts;
    },
    followUps: () => publishedFollowUps(records.followUps, ctx.cellKeys),
  };
}

/**
 * The period's revisits published by the publisher of their population: every one of them, as
 * they stand. The scope weighs each cell's key by a different odd factor, so a revisit that moves
 * between cells (missed, then completed late) re-keys every cell, not only the two it moved
 * between: the cells it did not touch do not stay visibly the same.
 */
export function publishedFollowUps(cells: FollowUpCells, { ptable }: CellKeys) {
  const all = [cells.onTime, cells.late, cells.missed];
  const publish = publisher(
    {
      count: all.reduce((s, c) => s + c.count, 0),
      key: all.reduce((s, c, i) => (s + (2 * i + 1) * c.key) % 2 ** 32, 0),
    },
    ptable,
  );
  const [onTime, late, missed] = all.map(publish);
  return { completed: onTime + late, onTime, late, missed };
}
