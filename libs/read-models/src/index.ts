/*
 * The read models (one slice a folder: its projection, its tables' migrations, the only SQL over
 * them), and the registry the worker, the CLI and a rebuild's replay workers take them from.
 */
import { upcastFamilyEvent } from '@app/domain';
import type { Projection } from '@app/projections';
import { runnerMigrations } from '@app/projections';
import { FollowUpsProjection, followUpMigrations } from '@app/follow-ups';
import { OutcomeDefinitions, OutcomesProjection, outcomeMigrations } from '@app/outcomes';
import { FamiliesProjection } from './families';
import { ReadModels1763800000000 } from './migrations/1763800000000-ReadModels';
import { CodeListsReplay1765000000002 } from './migrations/1765000000002-CodeListsReplay';
import { TimelineProjection } from './timeline';

export * from './families';
export * from './timeline';

/**
 * Every projection the worker runs, in one place; the outcome definitions as the caller loaded
 * them from its configuration (else read from it here, for scripts, tests and replay threads).
 */
export const allProjections = (definitions?: OutcomeDefinitions): Projection[] => [
  upcasting(new FamiliesProjection()),
  // The timeline keeps each event as it was stored (its reads upcast: `./timeline/queries.ts`).
  new TimelineProjection(),
  upcasting(new OutcomesProjection(definitions)),
  upcasting(new FollowUpsProjection()),
];

/**
 * `projection` applying each event upcast (`upcastFamilyEvent`), its replay projection too: the
 * folds see stored values in another case as their codes, so an old stream counts as a new one.
 */
export function upcasting(projection: Projection): Projection {
  const wrapped: Projection = Object.create(projection) as Projection;
  wrapped.apply = (events, tx) => projection.apply(events.map(upcastFamilyEvent), tx);
  if (projection.forReplay) wrapped.forReplay = () => upcasting(projection.forReplay!());
  return wrapped;
}

/**
 * This module, for `RebuildOptions.registry`: a rebuild's replay worker threads load it to make
 * their projections (the runner imports no read model).
 */
export const projectionRegistry: string = __filename;

/** Which migration a class is: TypeORM's order, by the timestamp ending its name. */
const timestampOf = (m: new () => unknown) => Number(/(\d{13})$/.exec(m.name)?.[1]);

/**
 * Every read-side migration (the read models' tables and the runner's checkpoints), in
 * timestamp order. The families and timeline tables, and the checkpoints table, are made by
 * `ReadModels1763800000000`.
 */
export const readModelMigrations = [
  ReadModels1763800000000,
  CodeListsReplay1765000000002,
  ...outcomeMigrations,
  ...followUpMigrations,
  ...runnerMigrations,
].sort((a, b) => timestampOf(a) - timestampOf(b));
