export * from './family-ids';
export * from './family-recorder';
export * from './requests';
export * from './code-lists';
