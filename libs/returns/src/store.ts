/** The `returns` table: requests, their progress, and the built content with its provenance. */
import { Queryable } from '@app/projections';
import { decodeKeyset, encodeKeyset } from '@app/recording';
import { BuiltReturn, ReturnRequest } from './builder';
import { Provenance } from './content';

export type ReturnStatus = 'pending' | 'building' | 'built' | 'failed';

export interface StoredReturn extends ReturnRequest {
  id: string;
  spec: string;
  position: bigint;
  status: ReturnStatus;
  progress: number;
  requestedBy: string;
  requestedAt: string;
  builtAt: string | null;
  sha256: string | null;
  provenance: (Provenance & { sha256: string }) | null;
  error: string | null;
}

interface Row {
  return_id: string;
  authority: string | null;
  period_start: string;
  period_end: string;
  spec: string;
  position: string;
  status: ReturnStatus;
  progress: number;
  requested_by: string;
  requested_at: Date;
  built_at: Date | null;
  sha256: string | null;
  provenance: Provenance | null;
  error: string | null;
}

const COLUMNS = `return_id, authority, to_char(period_start, 'YYYY-MM-DD') AS period_start,
  to_char(period_end, 'YYYY-MM-DD') AS period_end, spec, position, status, progress, requested_by,
  requested_at, built_at, sha256, provenance, error`;

const toReturn = (r: Row): StoredReturn => ({
  id: r.return_id,
  authority: r.authority,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  spec: r.spec,
  position: BigInt(r.position),
  status: r.status,
  progress: r.progress,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at.toISOString(),
  builtAt: r.built_at?.toISOString() ?? null,
  sha256: r.sha256,
  provenance: r.provenance && r.sha256 ? { ...r.provenance, sha256: r.sha256 } : null,
  error: r.error,
});

export async function insertReturn(
  db: Queryable,
  r: {
    id: string;
    spec: string;
    position: bigint;
    requestedBy: string;
    requestedAt: string;
  } & ReturnRequest,
): Promise<void> {
  await db.query(
    `INSERT INTO returns (return_id, authority, period_start, period_end, spec, position, requested_by, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      r.id,
      r.authority,
      r.periodStart,
      r.periodEnd,
      r.spec,
      r.position.toString(),
      r.requestedBy,
      r.requestedAt,
    ],
  );
}

export async function findReturn(db: Queryable, id: string): Promise<StoredReturn | undefined> {
  const rows = (await db.query(`SELECT ${COLUMNS} FROM returns WHERE return_id = $1`, [
    id,
  ])) as Row[];
  return rows[0] && toReturn(rows[0]);
}

/** Where a page of `listReturns` ended: the last return's request time and id. */
export interface ReturnsCursor {
  requestedAt: string;
  id: string;
}

/** The same keyset codec as every other list: anything it did not issue is refused. */
export const encodeReturnsCursor = (c: ReturnsCursor): string => encodeKeyset(c.requestedAt, c.id);

export function decodeReturnsCursor(cursor: string): ReturnsCursor | undefined {
  const keyset = decodeKeyset(cursor);
  return keyset && { requestedAt: keyset[0], id: keyset[1] };
}

/**
 * Returns newest first, a page at a time. `authority`: one authority's (null: the national
 * ones), or undefined for every return.
 */
export async function listReturns(
  db: Queryable,
  options: { authority?: string | null; limit: number; after?: ReturnsCursor },
): Promise<StoredReturn[]> {
  const rows = (await db.query(
    `SELECT ${COLUMNS} FROM returns
     WHERE (NOT $1::boolean OR authority IS NOT DISTINCT FROM $2)
       AND ($3::timestamptz IS NULL OR (requested_at, return_id) < ($3::timestamptz, $4::uuid))
     ORDER BY requested_at DESC, return_id DESC
     LIMIT $5`,
    [
      options.authority !== undefined,
      options.authority ?? null,
      options.after?.requestedAt ?? null,
      options.after?.id ?? null,
      options.limit,
    ],
  )) as Row[];
  return rows.map(toReturn);
}

export async function returnContent(db: Queryable, id: string): Promise<string | undefined> {
  const rows = (await db.query(
    `SELECT content FROM returns WHERE return_id = $1 AND status = 'built'`,
    [id],
  )) as { content: string }[];
  return rows[0]?.content;
}

export async function setProgress(db: Queryable, id: string, progress: number): Promise<void> {
  await db.query(
    `UPDATE returns SET status = 'building', progress = $2 WHERE return_id = $1 AND status IN ('pending', 'building')`,
    [id, progress],
  );
}

export async function saveBuilt(
  db: Queryable,
  id: string,
  built: BuiltReturn,
  at: string,
): Promise<void> {
  await db.query(
    `UPDATE returns SET status = 'built', progress = 100, built_at = $2, content = $3, sha256 = $4,
       provenance = $5, error = NULL
     WHERE return_id = $1`,
    [id, at, built.json, built.sha256, JSON.stringify(built.content.provenance)],
  );
}

export async function saveFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE returns SET status = 'failed', error = $2 WHERE return_id = $1`, [
    id,
    error,
  ]);
}

/** Requests not yet built (the reconciler queues them again). */
export async function unfinishedReturns(db: Queryable): Promise<string[]> {
  const rows = (await db.query(
    `SELECT return_id FROM returns WHERE status IN ('pending', 'building') ORDER BY requested_at`,
  )) as { return_id: string }[];
  return rows.map((r) => r.return_id);
}
