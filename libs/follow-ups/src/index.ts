export * from './engine';
export * from './ids';
export * from './policy';
export * from './queries';
export * from './redis';
export * from './config';
export * from './recorder';
export * from './fold';
