/*
 * The only SQL that reads `families` for the API: one family, and a page of the list. Callers
 * shape the rows; the table's columns stay here.
 */
import type { SqlQueryable } from '@app/event-store';
import { conditionAdder } from '@app/projections/sql';
import type { FamilyColumns } from './evolve';

/** A `families` row as the API reads it (bigint `revision` as a string, as pg returns it). */
export type FamilyRow = FamilyColumns<Date>;

export interface FamilyFilter {
  authority?: string;
  programme?: string;
  status?: string;
  keyWorker?: string;
}

const FAMILY_COLUMNS = `family_id, authority, programme, status, episode, key_worker, referred_at,
  offered_at, accepted_at, support_plan_agreed_at, refused_at, refusal_stage, exited_at, exit_type,
  follow_up, moved_to, revision`;

export async function findFamily(
  db: SqlQueryable,
  familyId: string,
): Promise<FamilyRow | undefined> {
  const rows = (await db.query(`SELECT ${FAMILY_COLUMNS} FROM families WHERE family_id = $1`, [
    familyId,
  ])) as FamilyRow[];
  return rows[0];
}

/**
 * Newest referrals first, at most `limit` rows after the keyset `after` (exclusive); keyset
 * pagination, so deep pages cost the same as the first.
 */
export async function listFamilies(
  db: SqlQueryable,
  filter: FamilyFilter,
  limit: number,
  after?: { referredAt: string; familyId: string },
): Promise<FamilyRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = conditionAdder(params, where);
  if (filter.authority) add('authority = ?', filter.authority);
  if (filter.programme) add('programme = ?', filter.programme);
  if (filter.status) add('status = ?', filter.status);
  if (filter.keyWorker) add('key_worker = ?', filter.keyWorker);
  if (after) {
    params.push(after.referredAt, after.familyId);
    where.push(`(referred_at, family_id) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(limit);
  return (await db.query(
    `SELECT ${FAMILY_COLUMNS} FROM families
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY referred_at DESC, family_id DESC LIMIT $${params.length}`,
    params,
  )) as FamilyRow[];
}

// --- Fragments for other slices' SQL (a join kept in one statement, for speed) -----------------

/** SQL for the ids of the families a worker is the key worker of now. */
export const familyIdsOfKeyWorkerSql = (param: string) =>
  `SELECT k.family_id FROM families k WHERE k.key_worker = ${param}`;

/** A scalar subquery: the key worker now of the family whose id is `familyId` (an SQL expression). */
export const keyWorkerOfSql = (familyId: string) =>
  `(SELECT k.key_worker FROM families k WHERE k.family_id = ${familyId})`;
