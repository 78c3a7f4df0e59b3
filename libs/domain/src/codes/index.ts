export * from './code-lists';
export * from './coded-fields';
