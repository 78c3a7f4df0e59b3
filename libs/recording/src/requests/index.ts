export * from './validation';
export * from './event-payloads';
export * from './requests';
export * from './cursor';
