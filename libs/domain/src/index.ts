export * from './clock';
export * from './errors';
export * from './events';
export * from './family';
export * from './revisit';
