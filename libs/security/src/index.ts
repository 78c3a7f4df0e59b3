export * from './roles';
export * from './principal';
export * from './tokens';
export * from './secret';
export * from './api-keys';
export * from './audit';
export * from './pii-crypto';
export * from './personal-data';
