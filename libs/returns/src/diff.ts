/** What changed between two returns: cell by cell, and the events recorded in between. */
import { Published, ReturnContent } from './content';
import { Queryable } from '@app/projections';
import { timelineLateEvents } from '@app/read-models/timeline';
import { Scope } from './records';

export interface CellChange {
  section: string;
  table: string;
  row: string;
  column: string;
  from: Published | undefined;
  to: Published | undefined;
}

const cells = (content: ReturnContent) => {
  const map = new Map<string, { at: Omit<CellChange, 'from' | 'to'>; value: Published }>();
  for (const s of content.sections) {
    for (const t of s.tables) {
      for (const r of t.rows) {
        for (const c of t.columns) {
          const at = { section: s.id, table: t.id, row: r.id, column: c.id };
          map.set(JSON.stringify(at), { at, value: r.values[c.id] });
        }
      }
    }
  }
  return map;
};

/** Cells whose published value differs (a cell only one return has counts as changed). */
export function changedCells(a: ReturnContent, b: ReturnContent): CellChange[] {
  const from = cells(a);
  const to = cells(b);
  const changes: CellChange[] = [];
  for (const k of new Set([...from.keys(), ...to.keys()])) {
    const x = from.get(k);
    const y = to.get(k);
    if (x?.value !== y?.value) changes.push({ ...(x ?? y)!.at, from: x?.value, to: y?.value });
  }
  return changes;
}

export interface LateEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  position: string;
}

/**
 * Events of the authority's families recorded between two positions (after `from`, up to `to`)
 * that happened in the period: what a resubmission adds. Ids, types and dates only.
 */
export async function lateEvents(
  db: Queryable,
  authority: Scope,
  period: { periodStart: string; periodEnd: string },
  from: bigint,
  to: bigint,
): Promise<LateEvent[]> {
  const rows = await timelineLateEvents(
    db,
    {
      from: from.toString(),
      to: to.toString(),
      occurredFrom: `${period.periodStart}T00:00:00.000Z`,
      occurredBefore: new Date(
        Date.parse(`${period.periodEnd}T00:00:00.000Z`) + 86_400_000,
      ).toISOString(),
    },
    authority,
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    type: r.type,
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    position: String(r.position),
  }));
}
