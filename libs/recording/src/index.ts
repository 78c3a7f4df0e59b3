export * from './family-recorder';
export * from './requests';
