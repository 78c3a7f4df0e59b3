export * from './record-key';
export * from './ptable';
export * from './ptable-v1';
export * from './perturbation';
