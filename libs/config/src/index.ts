export * from './config';
export * from './config.module';
export * from './docs';
export * from './environment';
