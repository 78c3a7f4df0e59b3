// National returns: versioned specs, the builder, disclosure control, pseudonyms (issue 5).
export * from './builder';
export * from './canonical';
export * from './content';
export * from './print';
export * from './disclosure';
export * from './records';
export * from './read-models';
export * from './spec';
export * from './version';
export * from './diff';
export * from './engine';
export * from './extract';
export * from './pseudonyms';
export * from './recipients';
export * from './store';
export { Returns1764200000000 } from './migrations/1764200000000-Returns';
import { Returns1764200000000 } from './migrations/1764200000000-Returns';
import { ReturnsTransfers1764700000000 } from './migrations/1764700000000-ReturnsTransfers';
import { NationalReturns1764740000000 } from './migrations/1764740000000-NationalReturns';
/** The returns table (and the timeline index it reads by); apps add them to the projections'. */
export const returnsMigrations = [
  Returns1764200000000,
  ReturnsTransfers1764700000000,
  NationalReturns1764740000000,
];
export * from './config';
export * from './costs';
export * from './period';
export * from './outcomes-disclosure';
export * from './query-disclosure';
export * from './chart';
export * from './cell-key';
