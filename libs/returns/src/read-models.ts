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
import { Queryable, projectionCheckpoints, waitForProjections } from '@app/projections';
import { FollowUpFact, Scope, TimelineRow, familiesOf, foldRows, isOnTime } from './records';

/** A database the builder can open a transaction on (a TypeORM DataSource is one). */
export interface Database extends Queryable {
  transaction<T>(isolation: 'REPEATABLE READ', run: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** Revisits completed (of which on time) and missed in a period. */
export interface FollowUpCounts {
  completed: number;
  onTime: number;
  missed: number;
}

/** What the return's tables are computed from. */
export interface ReturnRecords {
  episodes: EpisodeSource;
  followUps: FollowUpCounts;
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
  options: RecordsOptions = {},
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
    `INSERT INTO ${UNSETTLED} SELECT family_id FROM follow_ups WHERE position > $1
     ON CONFLICT DO NOTHING`,
    [p],
  );
  await tx.query(`ANALYZE ${UNSETTLED}`);
  await createEpisodeTable(tx, EPISODES);
  await tx.query(
    `CREATE TEMP TABLE return_follow_ups (
       family_id uuid NOT NULL, episode integer NOT NULL, completed_at timestamptz,
       completed_on_time boolean, missed_at timestamptz
     ) ON COMMIT DROP`,
  );

  // Settled families, in SQL. Every table of a return counts episodes referred or exited in
  // the period, and revisits completed or missed in it: nothing else is copied.
  const params: unknown[] = [period.from, period.before];
  const own = (alias: string) => {
    if (scope === null) return '';
    params.push(scope);
    return `AND ${alias}.authority = $${params.length}`;
  };
  const within = (col: string) => `(${col} >= $1 AND ${col} < $2)`;
  const settled = (alias: string) =>
    `NOT EXISTS (SELECT 1 FROM ${UNSETTLED} x WHERE x.family_id = ${alias}.family_id)`;
  await copySettledEpisodes(tx, EPISODES, UNSETTLED, period, scope);
  // A follow-ups row holds the revisit's facts as the fold derives them (`followUpFacts`): the
  // completion or miss dates, and whether the completion fell in the window (the projection
  // applies the same `completedOnTime`); the decider allows each once per episode and the
  // projection never deletes a row, and moves them with a transfer.
  await tx.query(
    `INSERT INTO ${FOLLOW_UPS}
     SELECT u.family_id, u.episode, u.completed_at, u.completed_on_time, u.missed_at
     FROM follow_ups u
     WHERE (${within('u.completed_at')} OR ${within('u.missed_at')}) ${own('u')} AND ${settled('u')}`,
    params,
  );
  await options.progress?.(0.5);

  // The others, folded from the timeline up to P, a chunk of families at a time.
  const scoped = scope === null ? '' : `WHERE x.family_id IN (${familiesOf('$2', '$1')})`;
  const ids = (
    (await tx.query(
      `SELECT x.family_id FROM ${UNSETTLED} x ${scoped} ORDER BY x.family_id`,
      scope === null ? [] : [p, scope],
    )) as { family_id: string }[]
  ).map((r) => r.family_id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = (await tx.query(
      `SELECT t.family_id, t.revision, t.type, t.data FROM family_timeline t
       WHERE t.family_id = ANY($1) AND t.position <= $2
       ORDER BY t.family_id, t.revision`,
      [ids.slice(i, i + CHUNK), p],
    )) as TimelineRow[];
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
    followUps: await followUpCounts(tx, period),
  };
}

const factRecord = (f: FollowUpFact) => ({
  family_id: f.familyId,
  episode: f.episode,
  completed_at: f.completedAt,
  completed_on_time: f.completedAt ? isOnTime(f) : null,
  missed_at: f.missedAt,
});

/** `followUpsInPeriod` in SQL over the revisits read. */
async function followUpCounts(tx: Queryable, period: PeriodBounds): Promise<FollowUpCounts> {
  const done = `f.completed_at >= $1 AND f.completed_at < $2`;
  const [row] = (await tx.query(
    `SELECT count(*) FILTER (WHERE ${done}) AS completed,
            count(*) FILTER (WHERE ${done} AND f.completed_on_time) AS on_time,
            count(*) FILTER (WHERE f.completed_at IS NULL AND f.missed_at >= $1
                                    AND f.missed_at < $2) AS missed
     FROM ${FOLLOW_UPS} f`,
    [period.from, period.before],
  )) as { completed: string; on_time: string; missed: string }[];
  return {
    completed: Number(row.completed),
    onTime: Number(row.on_time),
    missed: Number(row.missed),
  };
}

/** The same counts from folded revisits (the oracle's path). */
export function followUpsInPeriod(facts: FollowUpFact[], period: PeriodBounds): FollowUpCounts {
  const from = Date.parse(period.from);
  const before = Date.parse(period.before);
  const inPeriod = (at: string | null) => !!at && Date.parse(at) >= from && Date.parse(at) < before;
  const completed = facts.filter((f) => inPeriod(f.completedAt));
  return {
    completed: completed.length,
    onTime: completed.filter(isOnTime).length,
    missed: facts.filter((f) => !f.completedAt && inPeriod(f.missedAt)).length,
  };
}
