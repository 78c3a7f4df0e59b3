/**
 * Cell-key perturbation of one answer (issue 14): the publisher every count of an answer under
 * disclosure control goes through, and what the answer says about it.
 *
 * A cell's key is its records' key scoped by the key of the answer's population (every episode its
 * filter matches): `scopedCellKey`. The same families in the same population always get the same
 * noise, so asking again, or rebuilding a return at a position, gives the same figures; a
 * population that differs by one family re-keys every cell, so the difference of two answers is
 * not the difference of the truth, not even for cells whose families did not change.
 */
import type { KeyedCount, Publish, Published, RecordKeySql } from '@app/outcomes';
import { Ptable, PtableParams, perturb } from './ptable';
import { PTABLE_V1 } from './ptable-v1';
import { KEY_SCALE, recordKeySql, scopedCellKey } from './record-key';

/** The record keys an app's queries compute, from the deployment's secret (`cellKeySecretFrom`). */
export interface CellKeys {
  sql: RecordKeySql;
  ptable: Ptable;
}

export const cellKeys = (secret: string | Buffer, ptable: Ptable = PTABLE_V1): CellKeys => ({
  sql: recordKeySql(secret),
  ptable,
});

/** The publisher of an answer over `population` (its key from `populationKey`). */
export function publisher(population: KeyedCount, ptable: Ptable): Publish {
  const scope = population.key / KEY_SCALE;
  return (cell) => perturb(cell.count, scopedCellKey([cell.key / KEY_SCALE], scope), ptable);
}

/** An answer's `Published`: its record keys and its publisher over `population`. */
export function publishedOver(keys: CellKeys, population: KeyedCount): Published {
  return {
    keys: keys.sql,
    publish: publisher(population, keys.ptable),
    within: (extra) =>
      publisher({ count: 0, key: (population.key + extra.key) % KEY_SCALE }, keys.ptable),
  };
}

/** What an output says of the perturbation its counts went through. */
export interface PerturbationStatement extends PtableParams {
  method: 'cell-key';
  /** The perturbation table's id (versioned data, libs/returns/src/cell-key). */
  ptable: string;
  text: string;
}

export function perturbationStatement(ptable: Ptable): PerturbationStatement {
  const { maxPerturbation, variance, blockedUpTo } = ptable.params;
  return {
    method: 'cell-key',
    ptable: ptable.id,
    maxPerturbation,
    variance,
    blockedUpTo,
    text:
      `Every count is perturbed (cell-key method, perturbation table ${ptable.id}): a small ` +
      `noise of at most ±${maxPerturbation}, variance ${variance}, no count from 1 to ` +
      `${blockedUpTo} is published, and the same families always get the same noise. ` +
      `Percentages, intervals and money are computed from the perturbed counts. A table's ` +
      `finest cells are perturbed and its totals are their sums, so each table adds up and the ` +
      `same count shown twice is the same number; counts that break the same families down ` +
      `differently (a cohort's families and a domain's n, say) may differ by a few.`,
  };
}
