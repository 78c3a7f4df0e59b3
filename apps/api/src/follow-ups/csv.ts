import { FollowUpView } from '@app/follow-ups';
import { CsvContext, withContext } from '@app/security/csv-output';
import { line } from '../outcomes/csv';

const COLUMNS: [string, (f: FollowUpView) => unknown][] = [
  ['follow_up_id', (f) => f.followUpId],
  ['family_id', (f) => f.familyId],
  ['family_reference', (f) => f.familyReference],
  ['key_worker', (f) => f.keyWorker],
  ['assigned_worker', (f) => f.assignedWorker],
  ['status', (f) => f.status],
  ['due_at', (f) => f.dueAt],
  ['window_opens_at', (f) => f.window.opensAt],
  ['window_closes_at', (f) => f.window.closesAt],
  ['days_overdue', (f) => f.daysOverdue],
  ['authority', (f) => f.authority],
  ['programme', (f) => f.programme],
  ['exit_type', (f) => f.exitType],
  ['exited_at', (f) => f.exitedAt],
];

/**
 * The working list as a spreadsheet: one revisit a row, in due-date order, then the page's
 * context (`withContext`: the filters, cursor and limit as asked, as at, position).
 */
export function followUpsCsv(items: FollowUpView[], context: CsvContext): string {
  return withContext(
    [line(COLUMNS.map(([name]) => name)), ...items.map((f) => line(COLUMNS.map(([, v]) => v(f))))],
    context,
  );
}
