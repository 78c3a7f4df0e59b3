/** `follow_ups` rows between the table and the fold: the one place the stored words are read. */
import { FollowUpRow } from './evolve';
import { statusFromStored, storedStatus } from './status';

/** The row as the table stores it (for `jsonb_populate_recordset(null::follow_ups, …)`). */
export const toStored = (row: FollowUpRow) => ({ ...row, status: storedStatus(row.status) });

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));

/** A row as the driver returns it: dates back to ISO strings, the status in the domain's words. */
export function fromStored(row: Record<string, unknown>): FollowUpRow {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = iso(v);
  out.completion_assessment = row.completion_assessment;
  out.status = statusFromStored(row.status as string);
  return out as unknown as FollowUpRow;
}
