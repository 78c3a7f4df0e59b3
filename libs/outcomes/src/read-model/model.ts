/**
 * `outcome_model`: which definitions the read model's masks follow, and the latest `recordedAt`
 * applied. The one check that a reader's definitions are the model's (`checkDefinitions`).
 */
import { OutcomeDefinitions } from '../definitions';
import { Queryable } from './source';

export class OutcomeDefinitionsChanged extends Error {
  override readonly name = 'OutcomeDefinitionsChanged';
}

export interface OutcomeModel {
  fingerprint: string;
  maxRecordedAt: string | null;
  /** Domain ids in bit order. */
  domains: string[];
}

const NAME = 'outcomes';

/** What the live model was built with; undefined before the projection has applied anything. */
export async function outcomeModel(db: Queryable): Promise<OutcomeModel | undefined> {
  const rows = (await db.query(
    `SELECT fingerprint, max_recorded_at, domains FROM outcome_model WHERE name = $1`,
    [NAME],
  )) as { fingerprint: string; max_recorded_at: Date | null; domains: string[] }[];
  return rows[0]
    ? {
        fingerprint: rows[0].fingerprint,
        maxRecordedAt: rows[0].max_recorded_at?.toISOString() ?? null,
        domains: rows[0].domains,
      }
    : undefined;
}

/** Throws `OutcomeDefinitionsChanged` unless a model built with `fingerprint` fits `definitions`. */
export function checkDefinitions(fingerprint: string, definitions: OutcomeDefinitions): void {
  if (fingerprint !== definitions.fingerprint) {
    throw new OutcomeDefinitionsChanged(
      `the outcomes read model was built with definitions ${fingerprint}, not ${definitions.fingerprint}: rebuild it`,
    );
  }
}

/** The live model, checked against `definitions` (a model not built yet passes). */
export async function checkedOutcomeModel(
  db: Queryable,
  definitions: OutcomeDefinitions,
): Promise<OutcomeModel | undefined> {
  const model = await outcomeModel(db);
  if (model) checkDefinitions(model.fingerprint, definitions);
  return model;
}

/**
 * Records the definitions the masks follow and the latest `recordedAt` applied (so "as at"
 * queries know whether they may use this model). A model built with other definitions is not
 * silently mixed: the projection must be rebuilt (`resetProjection`).
 */
export async function recordModel(
  db: Queryable,
  definitions: OutcomeDefinitions,
  latestRecordedAt: string,
): Promise<void> {
  const rows = (await db.query(
    `INSERT INTO outcome_model (name, fingerprint, domains, max_recorded_at)
     VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (name) DO UPDATE
       SET max_recorded_at = greatest(outcome_model.max_recorded_at, excluded.max_recorded_at)
     RETURNING fingerprint`,
    [
      NAME,
      definitions.fingerprint,
      JSON.stringify(definitions.domains.map((d) => d.id)),
      latestRecordedAt,
    ],
  )) as { fingerprint: string }[];
  checkDefinitions(rows[0].fingerprint, definitions);
}
