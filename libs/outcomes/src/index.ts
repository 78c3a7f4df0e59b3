export * from './chart';
export * from './definitions';
export * from './history';
export * from './statistics';
export * from './table';
export * from './paired-change';
