export * from './generate';
export * from './random';
export * from './new-events';
