/**
 * PTABLE_V1: the perturbation table published with every output under disclosure control.
 *
 * DATA, generated once by `generatePtable(PTABLE_V1_NAME, 1, PTABLE_V1_PARAMS)` (ptable.ts) and
 * frozen in ptable-v1.data.json, so a return built at a position is byte-for-byte the same on any machine and any
 * Node version. ptable.spec.ts holds this data equal to the generator. A new table is a new
 * version (a new file and id), never an edit: outputs name the id they were perturbed with.
 *
 * Parameters: D = 5 (no count moves by more than 5), V = 3 (perturbation standard deviation about
 * 1.7 for counts of 7 and over), js = 4 (no published count of 1 to 4, the disclosure rule's
 * threshold of 5). Weights are probabilities × 2^32.
 */
import type { Ptable, PtableParams } from './ptable';
import data from './ptable-v1.data.json';

export const PTABLE_V1: Ptable = data as Ptable;

export const PTABLE_V1_NAME: string = PTABLE_V1.name;

export const PTABLE_V1_PARAMS: Readonly<PtableParams> = Object.freeze(PTABLE_V1.params);
