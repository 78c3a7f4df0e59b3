import { FamilyEvent, FamilyEventOf } from '@app/domain';
import { followUpId } from '@app/follow-ups/ids';
import { completedOnTime } from '@app/follow-ups/policy';
import { RecordedEvent } from '@app/event-store';
import { EntityManager } from 'typeorm';
import { Projection } from './projection';
import { familyIdOf } from './streams';

/** A `follow_ups` row as stored (dates as ISO strings in, Dates out of the driver). */
export interface FollowUpRow {
  follow_up_id: string;
  family_id: string;
  episode: number;
  authority: string;
  programme: string;
  exit_type: string;
  exited_at: string;
  status: 'unscheduled' | 'scheduled' | 'due' | 'completed' | 'missed' | 'cancelled';
  policy_version: number | null;
  due_at: string | null;
  window_opens_at: string | null;
  window_closes_at: string | null;
  overdue_at: string | null;
  due_recorded_at: string | null;
  assigned_worker: string | null;
  completed_at: string | null;
  completed_on_time: boolean | null;
  completion_assessment: Record<string, unknown> | null;
  missed_at: string | null;
  missed_reason: string | null;
  cancelled_at: string | null;
  cancelled_reason: string | null;
  re_referred_at: string | null;
  position: string;
}

interface FamilyRow {
  family_id: string;
  authority: string;
  programme: string;
  episode: number;
}

const RELEVANT = new Set([
  'FamilyReferred',
  'FamilyTransferred',
  'FamilyExited',
  'FollowUpScheduled',
  'FollowUpDue',
  'FollowUpCompleted',
  'FollowUpMissed',
  'FollowUpCancelled',
  'FollowUpAssigned',
]);

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));

/**
 * `follow_ups`: one row per exited family episode, from the exit to the revisit's outcome. Exits
 * the policy does not cover stay `unscheduled`; the scheduler reads this table to decide, so the
 * table itself holds only recorded facts (a rebuild gives the same rows whatever the policy).
 * A re-referral is noted on the previous episode's row (`re_referred_at`) for the scheduler to
 * cancel a pending revisit. `follow_up_families` tracks each family's current episode.
 */
export class FollowUpsProjection implements Projection {
  readonly name = 'follow_ups';
  readonly tables = ['follow_ups', 'follow_up_families'] as const;

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const relevant = events.filter((e) => RELEVANT.has(e.type));
    if (!relevant.length) return;
    const ids = [...new Set(relevant.map((e) => familyIdOf(e.streamId)))];
    const families = new Map(
      (
        (await tx.query('SELECT * FROM follow_up_families WHERE family_id = ANY($1)', [
          ids,
        ])) as FamilyRow[]
      ).map((f) => [f.family_id, f]),
    );
    const rows = new Map(
      (
        (await tx.query('SELECT * FROM follow_ups WHERE family_id = ANY($1)', [
          ids,
        ])) as FollowUpRow[]
      ).map((r) => [r.follow_up_id, normalise(r)]),
    );
    const touchedFamilies = new Set<string>();
    const touchedRows = new Set<string>();

    for (const recorded of relevant) {
      const familyId = familyIdOf(recorded.streamId);
      const event = recorded as unknown as FamilyEvent;
      const at = event.data.occurredAt;
      if (event.type === 'FamilyReferred') {
        const family = families.get(familyId);
        if (family) {
          const previous = rows.get(followUpId(familyId, family.episode));
          if (previous && !previous.re_referred_at) {
            previous.re_referred_at = at;
            previous.position = recorded.position.toString();
            touchedRows.add(previous.follow_up_id);
          }
          family.episode += 1;
          family.programme = event.data.programme;
        } else {
          families.set(familyId, {
            family_id: familyId,
            authority: event.data.authority,
            programme: event.data.programme,
            episode: 1,
          });
        }
        touchedFamilies.add(familyId);
        continue;
      }
      if (event.type === 'FamilyTransferred') {
        // The new authority owns the family's revisits, past and pending; the old one loses them.
        const family = families.get(familyId);
        if (!family) throw new Error(`family ${familyId}: transfer before any referral`);
        family.authority = event.data.toAuthority;
        touchedFamilies.add(familyId);
        for (const row of rows.values()) {
          if (row.family_id !== familyId) continue;
          row.authority = event.data.toAuthority;
          row.position = recorded.position.toString();
          touchedRows.add(row.follow_up_id);
        }
        continue;
      }
      if (event.type === 'FamilyExited') {
        const family = families.get(familyId);
        if (!family) throw new Error(`family ${familyId}: exit before any referral`);
        const id = followUpId(familyId, family.episode);
        rows.set(id, {
          ...emptyRow(),
          follow_up_id: id,
          family_id: familyId,
          episode: family.episode,
          authority: family.authority,
          programme: family.programme,
          exit_type: event.data.exitType,
          exited_at: at,
          position: recorded.position.toString(),
        });
        touchedRows.add(id);
        continue;
      }
      const data = event.data as { episode: number };
      const row = rows.get(followUpId(familyId, data.episode));
      if (!row) throw new Error(`family ${familyId}: ${event.type} for an episode never exited`);
      applyFollowUp(row, event, recorded.metadata.recordedAt);
      row.position = recorded.position.toString();
      touchedRows.add(row.follow_up_id);
    }

    if (touchedFamilies.size) {
      await tx.query(
        `INSERT INTO follow_up_families
         SELECT * FROM jsonb_populate_recordset(null::follow_up_families, $1::jsonb)
         ON CONFLICT (family_id) DO UPDATE SET
           authority = excluded.authority, programme = excluded.programme,
           episode = excluded.episode`,
        [JSON.stringify([...touchedFamilies].map((id) => families.get(id)))],
      );
    }
    if (touchedRows.size) {
      const columns = Object.keys(emptyRow()).filter((c) => c !== 'follow_up_id');
      await tx.query(
        `INSERT INTO follow_ups
         SELECT * FROM jsonb_populate_recordset(null::follow_ups, $1::jsonb)
         ON CONFLICT (follow_up_id) DO UPDATE SET
         ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        [JSON.stringify([...touchedRows].map((id) => rows.get(id)))],
      );
    }
  }
}

function applyFollowUp(row: FollowUpRow, event: FamilyEvent, recordedAt: string): void {
  const at = event.data.occurredAt;
  switch (event.type) {
    case 'FollowUpScheduled': {
      const d = (event as FamilyEventOf<'FollowUpScheduled'>).data;
      Object.assign(row, {
        status: 'scheduled',
        policy_version: d.policyVersion,
        due_at: d.dueAt,
        window_opens_at: d.windowOpensAt,
        window_closes_at: d.windowClosesAt,
        overdue_at: d.overdueAt,
      });
      break;
    }
    case 'FollowUpDue':
      Object.assign(row, { status: 'due', due_recorded_at: recordedAt });
      break;
    case 'FollowUpCompleted':
      Object.assign(row, {
        status: 'completed',
        completed_at: at,
        completed_on_time:
          row.window_opens_at && row.window_closes_at
            ? completedOnTime(
                { windowOpensAt: row.window_opens_at, windowClosesAt: row.window_closes_at },
                at,
              )
            : null,
        completion_assessment: event.data.assessment,
      });
      break;
    case 'FollowUpMissed':
      Object.assign(row, { status: 'missed', missed_at: at, missed_reason: event.data.reason });
      break;
    case 'FollowUpCancelled':
      Object.assign(row, {
        status: 'cancelled',
        cancelled_at: at,
        cancelled_reason: event.data.reason,
      });
      break;
    case 'FollowUpAssigned':
      row.assigned_worker = event.data.workerId;
      break;
  }
}

function emptyRow(): FollowUpRow {
  return {
    follow_up_id: '',
    family_id: '',
    episode: 0,
    authority: '',
    programme: '',
    exit_type: '',
    exited_at: '',
    status: 'unscheduled',
    policy_version: null,
    due_at: null,
    window_opens_at: null,
    window_closes_at: null,
    overdue_at: null,
    due_recorded_at: null,
    assigned_worker: null,
    completed_at: null,
    completed_on_time: null,
    completion_assessment: null,
    missed_at: null,
    missed_reason: null,
    cancelled_at: null,
    cancelled_reason: null,
    re_referred_at: null,
    position: '0',
  };
}

/** Dates from the driver back to ISO strings, so comparisons and JSON are uniform. */
function normalise(row: FollowUpRow): FollowUpRow {
  const out = { ...row } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) out[k] = iso(v);
  out.completion_assessment = row.completion_assessment;
  return out as unknown as FollowUpRow;
}
