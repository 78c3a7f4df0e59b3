export * from './family-recorder';
