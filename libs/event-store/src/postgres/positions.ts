import { Pool } from 'pg';

/*
 * Gap-safe global order, by transaction-id visibility.
 *
 * A sequence would not do: a transaction can take position 10, another take 11 and commit first; a
 * subscriber that has seen 11 and checkpointed it would never see 10. Instead an event's position
 * is `(xid + offset) * 65536 + index`, where xid is the appending transaction's id (one append per
 * transaction) and offset the current epoch's (below). Readers only return positions below
 * `(xmin + offset) * 65536`, xmin being the oldest transaction still running when their snapshot
 * was taken: every transaction below xmin has finished (and its events, if committed, are in that
 * same snapshot), and every transaction that can still commit has, or will get, an xid >= xmin,
 * hence higher positions than anything returned. The price: while any transaction holding an xid
 * is open (anywhere in the cluster), newer events wait for it. No NOTIFY in the append: it takes a
 * cluster-wide lock at commit. (xid8 counts from 0 without wrapping; times 65536 it fits a bigint
 * for 2^47 transactions.)
 *
 * Identity and epochs. A logical restore (pg_dump into a new cluster) restarts transaction ids,
 * possibly far below the stored positions: new events would sort before everything projections
 * have already checkpointed, and never be seen. So the append checks that its first position is
 * above the highest position its snapshot sees (taken before the transaction had an xid, so in one
 * cluster this always holds: every transaction committed before that snapshot has a lower xid);
 * when it is not, the store opens a new epoch (`identity()`): `xid_offset` is raised so that
 * every transaction still running or to come writes above every stored event, and the epoch's
 * start is recorded. Positions stay monotonic; checkpoints record store id and epoch.
 */
export const SLOTS_PER_TRANSACTION = 65536n;
const XID_OFFSET = '(SELECT xid_offset FROM event_store)';
export const HORIZON = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint + ${XID_OFFSET}) * ${SLOTS_PER_TRANSACTION}`;
const BASE = `(pg_current_xact_id()::text::bigint + ${XID_OFFSET}) * ${SLOTS_PER_TRANSACTION}`;
/** This transaction's first position, or the restore error if it is not above `head` (SQL). */
export const firstPosition = (head: string) =>
  `CASE WHEN ${BASE} > ${head} THEN ${BASE} ELSE event_store_restored(${head}) END`;
/** The highest position the statement's snapshot sees, -1 if none. */
export const VISIBLE_HEAD = '(SELECT coalesce(max(position), -1) FROM events)';
/** Raised by `event_store_restored` (migration 1764820000000). */
export const RESTORED = 'OL001';

export interface IdentityRow {
  store_id: string;
  epoch: number;
}

export interface EpochCheck {
  head: string | null;
  xmin: string;
  xmax: string;
  xid_offset: string;
}

/** The identity, and what `isRestored` needs, in one statement (one snapshot). */
export const EPOCH_CHECK = `SELECT store_id, epoch, (SELECT max(position) FROM events)::text AS head,
         pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
         pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, xid_offset::text
  FROM event_store`;

/**
 * Every transaction committed before a snapshot has an xid below its xmax, hence (in one
 * cluster) positions below `(xmax + offset) * 65536`; a visible event at or above that came from
 * another cluster's transaction ids: a restore.
 */
export function isRestored(row: EpochCheck): boolean {
  return (
    row.head !== null &&
    BigInt(row.head) >= (BigInt(row.xmax) + BigInt(row.xid_offset)) * SLOTS_PER_TRANSACTION
  );
}

/**
 * Raises the offset so that every transaction still running (xid >= xmin) or to come writes
 * above every stored event, and records where the new epoch starts. One process does it; the
 * others wait for the identity row, then find nothing left to do.
 */
export async function openEpoch(pool: Pool): Promise<IdentityRow> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM event_store FOR UPDATE');
    const [row] = (await client.query<EpochCheck & IdentityRow>(EPOCH_CHECK)).rows;
    if (!isRestored(row)) {
      await client.query('COMMIT');
      return row;
    }
    const head = BigInt(row.head!);
    const offset = head / SLOTS_PER_TRANSACTION + 1n - BigInt(row.xmin);
    const { rows } = await client.query<IdentityRow>(
      `UPDATE event_store SET epoch = epoch + 1, xid_offset = $1 RETURNING store_id, epoch`,
      [offset.toString()],
    );
    await client.query('INSERT INTO event_store_epochs (epoch, after_position) VALUES ($1, $2)', [
      rows[0].epoch,
      head.toString(),
    ]);
    await client.query('COMMIT');
    return rows[0];
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
