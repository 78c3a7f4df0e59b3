import { DataSource } from 'typeorm';

/** What the trail needs of a database: one query at a time. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}
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

/** An entry as the trail shows it: who (subject, role, authority, by which means), when, and what. */
export interface AuditRecord extends Omit<AuditEntry, 'principal'> {
  id: string;
  at: string;
  subject: string;
  role: string;
  authority: string | null;
  via: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A request may name many families (a batch, a page): the trail keeps up to this many. */
const MAX_IDS = 1000;

const ids = (values: string[], valid: (v: string) => boolean) =>
  [...new Set(values.filter(valid))].slice(0, MAX_IDS);

/** The row `audit_log` keeps of an entry: ids filtered to their shapes, capped in number. */
function auditRow(entry: AuditEntry) {
  const { principal: p } = entry;
  return {
    subject: p.subject,
    role: p.role,
    authority: p.authority,
    via: p.via,
    method: entry.method,
    route: entry.route,
    family_ids: ids(entry.familyIds, (v) => UUID.test(v)),
    target_ids: ids(entry.targetIds, (v) => /^[A-Za-z0-9_.:-]{1,128}$/.test(v)),
    status: entry.status,
    correlation_id: entry.correlationId,
  };
}

interface Pending {
  row: ReturnType<typeof auditRow>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The audit trail's writer, with group commit: a line is written at once when no write is in
 * flight; lines that arrive meanwhile wait for it and then go together in one INSERT. Each caller
 * still awaits its own line's commit (a request whose line cannot be written is not answered), but
 * under load one durable commit carries many lines instead of one each.
 */
export class AuditTrail {
  private queue: Pending[] = [];
  private writing = false;

  constructor(
    private readonly db: Queryable,
    /** Lines per INSERT at most. */
    private readonly maxLines = 500,
  ) {}

  append(entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row: auditRow(entry), resolve, reject });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.queue.length) {
      const lines = this.queue.splice(0, this.maxLines);
      try {
        await this.db.query(
          `INSERT INTO audit_log (subject, role, authority, via, method, route, family_ids,
             target_ids, status, correlation_id)
           SELECT subject, role, authority, via, method, route, family_ids, target_ids, status,
             correlation_id
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (subject text, role text,
             authority text, via text, method text, route text, family_ids uuid[],
             target_ids text[], status integer, correlation_id text)) WITH ORDINALITY AS l
           ORDER BY l.ordinality`,
          [JSON.stringify(lines.map((l) => l.row))],
        );
        lines.forEach((l) => l.resolve());
      } catch (error) {
        lines.forEach((l) => l.reject(error));
      }
    }
    this.writing = false;
  }
}

export interface AuditFilter {
  subject?: string;
  /** Lines of callers of this authority only. */
  authority?: string;
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
  if (f.authority !== undefined) where.push(`authority = ${arg(f.authority)}`);
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
