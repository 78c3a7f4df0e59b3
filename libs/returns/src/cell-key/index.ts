// Cell-key perturbation (issue 14, item 2): record keys, cell keys, the ptable as data, perturb().
export * from './record-key';
export * from './ptable';
export * from './ptable-v1';
