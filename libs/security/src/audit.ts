import { DataSource } from 'typeorm';
import { Principal } from './roles';

/** One line of the audit trail: ids only, never a name or a record's content. */
export interface AuditEntry {
  principal: Principal;
  method: string;
  /** The route template (`/v1/families/:familyId`), not the URL: ids go in the id columns. */
  route: string;
  familyIds: string[];
  targetIds: string[];
  status: number;
  correlationId: string;
}

export interface AuditRecord {
  id: string;
  at: string;
  subject: string;
  role: string;
  authority: string | null;
  via: string;
  method: string;
  route: string;
  familyIds: string[];
  targetIds: string[];
  status: number;
  correlationId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A request may name many families (a batch, a page): the trail keeps up to this many. */
const MAX_IDS = 1000;

const ids = (values: string[], valid: (v: string) => boolean) =>
  [...new Set(values.filter(valid))].slice(0, MAX_IDS);

export async function appendAudit(db: DataSource, entry: AuditEntry): Promise<void> {
  const { principal: p } = entry;
  await db.query(
    `INSERT INTO audit_log (subject, role, authority, via, method, route, family_ids, target_ids,
       status, correlation_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::text[], $9, $10)`,
    [
      p.subject,
      p.role,
      p.authority,
      p.via,
      entry.method,
      entry.route,
      ids(entry.familyIds, (v) => UUID.test(v)),
      ids(entry.targetIds, (v) => /^[A-Za-z0-9_.:-]{1,128}$/.test(v)),
      entry.status,
      entry.correlationId,
    ],
  );
}

export interface AuditFilter {
  subject?: string;
  familyId?: string;
  from?: Date;
  /** Exclusive. */
  before?: Date;
  /** Keyset: entries older than this id (newest first). */
  afterId?: string;
  limit: number;
}

/** Newest first, one page; `nextCursor` is the last id when there may be more. */
export async function listAudit(
  db: DataSource,
  f: AuditFilter,
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => `$${args.push(v)}`;
  if (f.subject !== undefined) where.push(`subject = ${arg(f.subject)}`);
  if (f.familyId !== undefined) where.push(`family_ids @> ARRAY[${arg(f.familyId)}]::uuid[]`);
  if (f.from) where.push(`at >= ${arg(f.from)}`);
  if (f.before) where.push(`at < ${arg(f.before)}`);
  if (f.afterId !== undefined) where.push(`id < ${arg(f.afterId)}`);
  const rows = (await db.query(
    `SELECT id, at, subject, role, authority, via, method, route, family_ids::text[] AS family_ids,
       target_ids, status,
       correlation_id
     FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT ${arg(f.limit + 1)}`,
    args,
  )) as {
    id: string;
    at: Date;
    subject: string;
    role: string;
    authority: string | null;
    via: string;
    method: string;
    route: string;
    family_ids: string[];
    target_ids: string[];
    status: number;
    correlation_id: string;
  }[];
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      subject: r.subject,
      role: r.role,
      authority: r.authority,
      via: r.via,
      method: r.method,
      route: r.route,
      familyIds: r.family_ids,
      targetIds: r.target_ids,
      status: r.status,
      correlationId: r.correlation_id,
    })),
    nextCursor: rows.length > f.limit ? page[page.length - 1].id : null,
  };
}
