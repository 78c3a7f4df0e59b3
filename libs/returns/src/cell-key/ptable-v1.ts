/**
 * PTABLE_V1: the perturbation table published with every output under disclosure control.
 *
 * DATA, generated once by `generatePtable(PTABLE_V1_NAME, 1, PTABLE_V1_PARAMS)` (ptable.ts) and
 * frozen here, so a return built at a position is byte-for-byte the same on any machine and any
 * Node version. ptable-v1.spec.ts holds this data equal to the generator. A new table is a new
 * version (a new file and id), never an edit: outputs name the id they were perturbed with.
 *
 * Parameters: D = 5 (no count moves by more than 5), V = 3 (perturbation standard deviation about
 * 1.7 for counts of 7 and over), js = 4 (no published count of 1 to 4, the disclosure rule's
 * threshold of 5). Weights are probabilities × 2^32.
 */
import type { Ptable, PtableParams } from './ptable';

export const PTABLE_V1_NAME = 'outcomes-ledger-ptable';

export const PTABLE_V1_PARAMS: Readonly<PtableParams> = Object.freeze({
  maxPerturbation: 5,
  variance: 3,
  blockedUpTo: 4,
});

export const PTABLE_V1: Ptable = {
  id: 'outcomes-ledger-ptable@1',
  name: PTABLE_V1_NAME,
  version: 1,
  params: PTABLE_V1_PARAMS,
  method:
    'maximum entropy per row with zero mean and variance V (least-variance unbiased row where V is infeasible), |perturbation| <= 5, no count 1-4 published, zeros unperturbed',
  stationaryFrom: 10,
  rows: [
    { count: 0, transitions: [{ perturbed: 0, weight: 4294967296 }] },
    {
      count: 1,
      transitions: [
        { perturbed: 0, weight: 3435973837 },
        { perturbed: 5, weight: 858993459 },
      ],
    },
    {
      count: 2,
      transitions: [
        { perturbed: 0, weight: 2576980378 },
        { perturbed: 5, weight: 1717986918 },
      ],
    },
    {
      count: 3,
      transitions: [
        { perturbed: 0, weight: 1717986918 },
        { perturbed: 5, weight: 2576980378 },
      ],
    },
    {
      count: 4,
      transitions: [
        { perturbed: 0, weight: 858993459 },
        { perturbed: 5, weight: 3435973837 },
      ],
    },
    {
      count: 5,
      transitions: [
        { perturbed: 0, weight: 390968429 },
        { perturbed: 5, weight: 2430730885 },
        { perturbed: 6, weight: 1076763428 },
        { perturbed: 7, weight: 321903111 },
        { perturbed: 8, weight: 64945866 },
        { perturbed: 9, weight: 8842993 },
        { perturbed: 10, weight: 812584 },
      ],
    },
    {
      count: 6,
      transitions: [
        { perturbed: 5, weight: 2683689010 },
        { perturbed: 6, weight: 698520574 },
        { perturbed: 7, weight: 265284746 },
        { perturbed: 8, weight: 147004766 },
        { perturbed: 9, weight: 118860243 },
        { perturbed: 10, weight: 140225783 },
        { perturbed: 11, weight: 241382174 },
      ],
    },
    {
      count: 7,
      transitions: [
        { perturbed: 5, weight: 1001655600 },
        { perturbed: 6, weight: 978018940 },
        { perturbed: 7, weight: 839086609 },
        { perturbed: 8, weight: 632553115 },
        { perturbed: 9, weight: 419003732 },
        { perturbed: 10, weight: 243876226 },
        { perturbed: 11, weight: 124724487 },
        { perturbed: 12, weight: 56048587 },
      ],
    },
    {
      count: 8,
      transitions: [
        { perturbed: 5, weight: 309365742 },
        { perturbed: 6, weight: 587195381 },
        { perturbed: 7, weight: 847617736 },
        { perturbed: 8, weight: 930517263 },
        { perturbed: 9, weight: 776883374 },
        { perturbed: 10, weight: 493280803 },
        { perturbed: 11, weight: 238198814 },
        { perturbed: 12, weight: 87476615 },
        { perturbed: 13, weight: 24431568 },
      ],
    },
    {
      count: 9,
      transitions: [
        { perturbed: 5, weight: 79195747 },
        { perturbed: 6, weight: 238301476 },
        { perturbed: 7, weight: 522358369 },
        { perturbed: 8, weight: 834117685 },
        { perturbed: 9, weight: 970293339 },
        { perturbed: 10, weight: 822234544 },
        { perturbed: 11, weight: 507580975 },
        { perturbed: 12, weight: 228261097 },
        { perturbed: 13, weight: 74778270 },
        { perturbed: 14, weight: 17845794 },
      ],
    },
    {
      count: 10,
      transitions: [
        { perturbed: 5, weight: 16285916 },
        { perturbed: 6, weight: 71257495 },
        { perturbed: 7, weight: 224595151 },
        { perturbed: 8, weight: 509943052 },
        { perturbed: 9, weight: 834054561 },
        { perturbed: 10, weight: 982694947 },
        { perturbed: 11, weight: 834054561 },
        { perturbed: 12, weight: 509943052 },
        { perturbed: 13, weight: 224595150 },
        { perturbed: 14, weight: 71257495 },
        { perturbed: 15, weight: 16285916 },
      ],
    },
  ],
};
