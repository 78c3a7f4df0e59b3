export * from './canonical';
export * from './clock';
export * from './errors';
export * from './episodes';
export * from './events';
export * from './family';
export * from './scope';
export * from './revisit';
