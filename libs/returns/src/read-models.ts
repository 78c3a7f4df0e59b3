/**
 * The records of a return as at position P, from the read models where they hold them exactly.
 *
 * A family whose last event is at or before P ("settled at P") has, in any read model whose
 * checkpoint is at or after P, exactly its state at P: its episodes are copied from
 * `outcome_episodes` and its revisits from `follow_ups` by SQL, inside PostgreSQL. Only the other
 * families (an event after P, or a row from before `outcome_families.position` existed) are
 * folded from the timeline up to P, with the pure fold (`recordsAt`'s). Both land in temporary
 * tables of one REPEATABLE READ transaction, which the return's queries then read.
 */
import {
  EpisodeSource,
  OutcomeDefinitions,
  addUnsettledFamilies,
  checkedOutcomeModel,
  copySettledEpisodes,
  createEpisodeTable,
  insertEpisodes,
} from '@app/outcomes';
import { familiesReferredOrTransferredToSql, timelineUpTo } from '@app/read-models/timeline';
import { Queryable, projectionCheckpoints, waitForProjections } from '@app/projections';
import {
  KeyedRevisits,
  PeriodCells,
  REVISIT_FACTS_COLUMNS,
  cellsInPeriod,
  followUpFamiliesAfterSql,
  periodCellsOf,
  periodCellsSql,
  revisitFactsInPeriodSql,
} from '@app/follow-ups/read-model';
import type { RecordKeyOf, RecordKeySql } from '@app/outcomes';
import { FollowUpFact, Scope, factRecord, foldRows } from './records';

/** A database the builder can open a transaction on (a TypeORM DataSource is one). */
export interface Database extends Queryable {
  transaction<T>(isolation: 'REPEATABLE READ', run: (tx: Queryable) => Promise<T>): Promise<T>;
}

/**
 * Revisits completed on time, completed late and missed in a period (the follow-ups slice's
 * rule), each with its records' key: the finest cells a return publishes its follow-ups from.
 */
export type FollowUpCells = PeriodCells<KeyedRevisits>;

/** What the return's tables are computed from. */
export interface ReturnRecords {
  episodes: EpisodeSource;
  followUps: FollowUpCells;
}

/** Instants bounding a period: `from` inclusive, `before` exclusive. */
export interface PeriodBounds {
  from: string;
  before: string;
}

/** The projections whose rows the builder reads, and which must have reached P. */
export const RETURN_PROJECTIONS = ['outcomes', 'follow_ups', 'family_timeline'] as const;

const EPISODES = 'pg_temp.return_episodes';
const UNSETTLED = 'pg_temp.return_unsettled';
const FOLLOW_UPS = 'pg_temp.return_follow_ups';
/** Unsettled families folded per timeline read: bounds the memory whatever their number. */
const CHUNK = 1000;

export interface RecordsOptions {
  /** The record keys (cell-key perturbation): the follow-up cells are keyed in SQL with them. */
  keys: RecordKeySql;
  /** How long to wait for the read models to reach P (the worker runs them beside the engine). */
  waitMs?: number;
  /** 0–1 of the reading done. */
  progress?: (fraction: number) => void | Promise<void>;
}

class NotCaughtUp extends Error {}

/**
 * Runs `use` inside one REPEATABLE READ transaction with the records of the scope as at
 * `position` in temporary tables (dropped at commit). Waits for the read models to reach the
 * position first, and fails after `waitMs` if they do not.
 */
export async function withRecordsAt<T>(
  db: Database,
  definitions: OutcomeDefinitions,
  scope: Scope,
  period: PeriodBounds,
  position: bigint,
  use: (tx: Queryable, records: ReturnRecords) => Promise<T>,
  options: RecordsOptions,
): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
  for (;;) {
    await waitForProjections(
      db as never,
      RETURN_PROJECTIONS,
      position,
      Math.max(0, deadline - Date.now()),
    );
    try {
      return await db.transaction('REPEATABLE READ', async (tx) => {
        // A rebuild may have rewound a checkpoint since the wait: this snapshot decides.
        const checkpoints = await projectionCheckpoints(tx as never);
        const behind = RETURN_PROJECTIONS.filter((n) => (checkpoints.get(n) ?? 0n) < position);
        if (behind.length) {
          throw new NotCaughtUp(
            `projections ${behind.join(', ')} went back below position ${position} (a rebuild?)`,
          );
        }
        await checkedOutcomeModel(tx, definitions);
        const records = await readRecords(tx, definitions, scope, period, position, options);
        return use(tx, records);
      });
    } catch (e) {
      if (!(e instanceof NotCaughtUp) || Date.now() > deadline) throw e;
    }
  }
}

async function readRecords(
  tx: Queryable,
  definitions: OutcomeDefinitions,
  scope: Scope,
  period: PeriodBounds,
  position: bigint,
  options: RecordsOptions,
): Promise<ReturnRecords> {
  const p = position.toString();
  // Not settled at P: a later event applied to the family in either model, or no position yet.
  await tx.query(`CREATE TEMP TABLE return_unsettled (family_id uuid PRIMARY KEY) ON COMMIT DROP`);
  await addUnsettledFamilies(tx, UNSETTLED, p);
  await tx.query(
    `INSERT INTO ${UNSETTLED} ${followUpFamiliesAfterSql('$1')} ON CONFLICT DO NOTHING`,
    [p],
  );
  await tx.query(`ANALYZE ${UNSETTLED}`);
  await createEpisodeTable(tx, EPISODES);
  await tx.query(`CREATE TEMP TABLE return_follow_ups (${REVISIT_FACTS_COLUMNS}) ON COMMIT DROP`);

  // Settled families, in SQL. Every table of a return counts episodes referred or exited in
  // the period, and revisits completed or missed in it: nothing else is copied.
  const params: unknown[] = [period.from, period.before];
  const own = (alias: string) => {
    if (scope === null) return '';
    params.push(scope);
    return `AND ${alias}.authority = $${params.length}`;
  };
  const settled = (alias: string) =>
    `NOT EXISTS (SELECT 1 FROM ${UNSETTLED} x WHERE x.family_id = ${alias}.family_id)`;
  await copySettledEpisodes(tx, EPISODES, UNSETTLED, period, scope);
  // A follow-ups row holds the revisit's facts as the fold derives them (`followUpFacts`): the
  // completion or miss dates, and whether the completion fell in the window; the decider allows
  // each once per episode and the projection never deletes a row, and moves them with a transfer.
  await tx.query(
    `INSERT INTO ${FOLLOW_UPS} ${revisitFactsInPeriodSql(`${own('u')} AND ${settled('u')}`)}`,
    params,
  );
  await options.progress?.(0.5);

  // The others, folded from the timeline up to P, a chunk of families at a time.
  const scoped =
    scope === null
      ? ''
      : `WHERE x.family_id IN (${familiesReferredOrTransferredToSql('$2', '$1')})`;
  const ids = (
    (await tx.query(
      `SELECT x.family_id FROM ${UNSETTLED} x ${scoped} ORDER BY x.family_id`,
      scope === null ? [] : [p, scope],
    )) as { family_id: string }[]
  ).map((r) => r.family_id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await timelineUpTo(tx, p, { ids: ids.slice(i, i + CHUNK) });
    const folded = foldRows(rows, definitions, scope);
    await insertEpisodes(tx, EPISODES, folded.episodes);
    if (folded.followUps.length) {
      await tx.query(
        `INSERT INTO ${FOLLOW_UPS}
         SELECT * FROM jsonb_populate_recordset(null::${FOLLOW_UPS}, $1::jsonb)`,
        [JSON.stringify(folded.followUps.map(factRecord))],
      );
    }
    await options.progress?.(0.5 + (0.5 * Math.min(ids.length, i + CHUNK)) / ids.length);
  }
  await tx.query(`ANALYZE ${EPISODES}`);
  return {
    episodes: { kind: 'table', relation: EPISODES },
    followUps: await followUpCells(tx, period, options.keys),
  };
}

/** The slice's period cells, in SQL over the revisits read, keyed by their family episodes. */
async function followUpCells(
  tx: Queryable,
  period: PeriodBounds,
  keys: RecordKeySql,
): Promise<FollowUpCells> {
  const params: unknown[] = [period.from, period.before];
  const rk = keys(params);
  const [row] = (await tx.query(
    `SELECT ${periodCellsSql('f')} FROM (SELECT e.*, ${rk} AS rk FROM ${FOLLOW_UPS} e) f`,
    params,
  )) as Record<string, string>[];
  return periodCellsOf(row);
}

/** The same cells from folded revisits (the oracle's path), by the same rule and keys. */
export const followUpsInPeriod = (
  facts: FollowUpFact[],
  period: PeriodBounds,
  keyOf: RecordKeyOf,
): FollowUpCells => cellsInPeriod(facts.map(factRecord), period, keyOf);
