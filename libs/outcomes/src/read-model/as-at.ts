/**
 * The outcomes read model "as at": the same fold the projection runs (`foldOutcomeEvent`, then
 * `deriveEpisodes`) over the events recorded by an instant, and the tables a return reads as at a
 * position (settled families copied from the model, the others folded and inserted).
 */
import { FamilyEvent } from '@app/domain';
import { timelineRecordedBy } from '@app/read-models/timeline';
import { OutcomeDefinitions } from '../definitions';
import { EpisodeOutcome, deriveEpisodes } from '../episode-outcomes';
import { OutcomeHistory, emptyHistory, foldOutcomeEvent } from '../history';
import { episodeRecords } from './episode-records';
import { CohortFilter, Queryable, checkedRelation } from './source';

/** A family's events in order, as the timeline holds them. */
export interface EventRow {
  family_id: string;
  revision: string | number;
  type: string;
  data: FamilyEvent['data'];
}

/** Folds rows ordered by family and revision into each family's episodes (the "as at" fold). */
export function episodesOf(
  rows: readonly EventRow[],
  definitions: OutcomeDefinitions,
): EpisodeOutcome[] {
  const episodes: EpisodeOutcome[] = [];
  let current: string | undefined;
  let history: OutcomeHistory = emptyHistory();
  const flush = () => {
    if (current) episodes.push(...deriveEpisodes(current, history, definitions));
  };
  for (const r of rows) {
    if (r.family_id !== current) {
      flush();
      current = r.family_id;
      history = emptyHistory();
    }
    const event = { type: r.type, data: r.data } as FamilyEvent;
    history = foldOutcomeEvent(history, event, Number(r.revision));
  }
  flush();
  return episodes;
}

/**
 * Episodes as the records stood at `asAt`: every family's events recorded by then (by the
 * metadata's `recordedAt`, kept in `family_timeline`), folded and derived exactly as the projection
 * does. The slow path: it reads the events of every family in scope.
 */
export async function episodesAsAt(
  db: Queryable,
  definitions: OutcomeDefinitions,
  filter: Pick<CohortFilter, 'authority'>,
  asAt: string,
): Promise<EpisodeOutcome[]> {
  const rows = await timelineRecordedBy(db, asAt, { authority: filter.authority });
  return episodesOf(rows, definitions);
}

// --- A return's episodes as at a position -------------------------------------------------------

/** A temporary table's name, `pg_temp.…` (checked: it is spliced into SQL). */
const temp = (relation: string) => {
  if (!relation.startsWith('pg_temp.')) throw new Error(`not a temporary relation: ${relation}`);
  return checkedRelation(relation);
};

/** A temporary table of `outcome_episodes`' shape, dropped at commit. */
export async function createEpisodeTable(tx: Queryable, relation: string): Promise<void> {
  const name = temp(relation).slice('pg_temp.'.length);
  await tx.query(`CREATE TEMP TABLE ${name} (LIKE outcome_episodes) ON COMMIT DROP`);
}

/**
 * Adds to `relation` (a temporary table with a `family_id` key) the families this model has not
 * settled at `position`: a later event applied, or no position recorded yet.
 */
export async function addUnsettledFamilies(
  tx: Queryable,
  relation: string,
  position: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO ${temp(relation)} (family_id)
     SELECT family_id FROM outcome_families WHERE position IS NULL OR position > $1
     ON CONFLICT DO NOTHING`,
    [position],
  );
}

/**
 * Copies into `into` the live episodes referred or exited in [from, before), of `authority` if
 * given, of families not listed in `unsettled`: a settled family's rows are its state at P.
 */
export async function copySettledEpisodes(
  tx: Queryable,
  into: string,
  unsettled: string,
  period: { from: string; before: string },
  authority: string | null,
): Promise<void> {
  const params: unknown[] = [period.from, period.before];
  if (authority !== null) params.push(authority);
  const within = (col: string) => `(${col} >= $1 AND ${col} < $2)`;
  await tx.query(
    `INSERT INTO ${temp(into)} SELECT e.* FROM outcome_episodes e
     WHERE (${within('e.referred_at')} OR ${within('e.exited_at')})
       ${authority === null ? '' : 'AND e.authority = $3'}
       AND NOT EXISTS (SELECT 1 FROM ${temp(unsettled)} x WHERE x.family_id = e.family_id)`,
    params,
  );
}

/** Inserts episodes (folded in memory) into a table of `outcome_episodes`' shape. */
export async function insertEpisodes(
  tx: Queryable,
  into: string,
  episodes: EpisodeOutcome[],
): Promise<void> {
  if (!episodes.length) return;
  await tx.query(
    `INSERT INTO ${temp(into)}
     SELECT * FROM jsonb_populate_recordset(null::outcome_episodes, $1::jsonb)`,
    [JSON.stringify(episodeRecords(episodes))],
  );
}
