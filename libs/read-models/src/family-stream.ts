import { FAMILY_STREAM_PREFIX } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { Queryable } from '@app/projections/queryable';

export const familyIdOf = (streamId: string) => streamId.slice(FAMILY_STREAM_PREFIX.length);

/**
 * For a projection keeping each family's folded state in `table` (`family_id`, `state`): the
 * families a batch touches, and the states kept for those that have one.
 */
export async function keptStates<S>(
  tx: Queryable,
  table: string,
  events: readonly RecordedEvent[],
): Promise<{ ids: string[]; states: Map<string, S> }> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const ids = [...new Set(events.map((e) => familyIdOf(e.streamId)))];
  const rows = (await tx.query(`SELECT family_id, state FROM ${table} WHERE family_id = ANY($1)`, [
    ids,
  ])) as { family_id: string; state: S }[];
  return { ids, states: new Map(rows.map((r) => [r.family_id, r.state])) };
}
