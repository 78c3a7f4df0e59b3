export * from './chart';
export * from './definitions';
export * from './episode-outcomes';
export * from './history';
export * from './paired-change';
export * from './statistics';
export * from './table';
export * from './read-model';
