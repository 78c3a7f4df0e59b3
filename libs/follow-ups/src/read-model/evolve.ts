/**
 * The follow-up read model's fold: one row per exited family episode, from the exit to the
 * revisit's outcome, from the family's events in stream order. Pure (no I/O): the projection runs
 * it over each batch with the rows it holds, and "as at" answers run it over the events recorded
 * by then, so the live and the past answers are the same rule.
 */
import {
  FOLLOW_UP_EVENTS,
  FamilyEvent,
  FamilyEventOf,
  FollowUpStatus,
  completedOnTime,
  completesRevisit,
  followUpStatusAfter,
  oneYearOnAssessment,
} from '@app/domain';
import { followUpId } from '../ids';

/**
 * A `follow_ups` row (dates as ISO strings; the status in the domain's words: `toStored` and
 * `fromStored` in sql.ts spell it as the table does).
 */
export interface FollowUpRow {
  follow_up_id: string;
  family_id: string;
  episode: number;
  authority: string;
  programme: string;
  exit_type: string;
  exited_at: string;
  status: FollowUpStatus;
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

/** A `follow_up_families` row: the family's current episode, authority and programme. */
export interface FollowUpFamilyRow {
  family_id: string;
  authority: string;
  programme: string;
  episode: number;
}

/** Event types the fold reads: the domain's follow-up events, and what places a revisit. */
export const FOLLOW_UP_FOLD_EVENTS: ReadonlySet<string> = new Set<string>([
  'FamilyReferred',
  'FamilyTransferred',
  'FamilyExited',
  // A bare one-year-on assessment of an old stream completes its revisit.
  'DomainAssessmentRecorded',
  ...FOLLOW_UP_EVENTS,
]);

export class FollowUpFold {
  readonly touchedFamilies = new Set<string>();
  readonly touchedRows = new Set<string>();

  constructor(
    readonly families = new Map<string, FollowUpFamilyRow>(),
    readonly rows = new Map<string, FollowUpRow>(),
  ) {}

  /** Folds one stored event of `familyId`'s stream. */
  apply(familyId: string, event: FamilyEvent, position: string, recordedAt: string): void {
    if (!FOLLOW_UP_FOLD_EVENTS.has(event.type)) return;
    const family = this.families.get(familyId);
    const at = event.data.occurredAt;
    const touch = (row: FollowUpRow) => {
      row.position = position;
      this.touchedRows.add(row.follow_up_id);
    };
    if (event.type === 'FamilyReferred') {
      if (family) {
        const previous = this.rows.get(followUpId(familyId, family.episode));
        if (previous && !previous.re_referred_at) {
          previous.re_referred_at = at;
          touch(previous);
        }
        family.episode += 1;
        family.programme = event.data.programme;
      } else {
        this.families.set(familyId, {
          family_id: familyId,
          authority: event.data.authority,
          programme: event.data.programme,
          episode: 1,
        });
      }
      this.touchedFamilies.add(familyId);
      return;
    }
    if (!family) throw new Error(`family ${familyId}: ${event.type} before any referral`);
    if (event.type === 'FamilyTransferred') {
      // The new authority owns the family's revisits, past and pending; the old one loses them.
      family.authority = event.data.toAuthority;
      this.touchedFamilies.add(familyId);
      for (const row of this.rows.values()) {
        if (row.family_id !== familyId) continue;
        row.authority = event.data.toAuthority;
        touch(row);
      }
      return;
    }
    if (event.type === 'FamilyExited') {
      const id = followUpId(familyId, family.episode);
      const row: FollowUpRow = {
        ...emptyFollowUpRow(),
        follow_up_id: id,
        family_id: familyId,
        episode: family.episode,
        authority: family.authority,
        programme: family.programme,
        exit_type: event.data.exitType,
        exited_at: at,
      };
      this.rows.set(id, row);
      touch(row);
      return;
    }
    // Completed by its one-year-on assessment (the domain's one rule).
    const revisit = oneYearOnAssessment(event, family.episode);
    if (revisit) {
      const row = this.rows.get(followUpId(familyId, revisit.episode));
      if (!row || !completesRevisit(row.status)) return;
      Object.assign(row, {
        status: 'completed',
        completed_at: revisit.at,
        completed_on_time: onTime(row, revisit.at),
        completion_assessment: revisit.assessment,
      });
      touch(row);
      return;
    }
    if (event.type === 'DomainAssessmentRecorded') return;
    const data = event.data as { episode: number };
    const row = this.rows.get(followUpId(familyId, data.episode));
    if (!row) throw new Error(`family ${familyId}: ${event.type} for an episode never exited`);
    applyFollowUp(row, event, recordedAt);
    touch(row);
  }
}

const onTime = (row: FollowUpRow, completedAt: string) =>
  row.window_opens_at && row.window_closes_at
    ? completedOnTime(
        { windowOpensAt: row.window_opens_at, windowClosesAt: row.window_closes_at },
        completedAt,
      )
    : null;

function applyFollowUp(row: FollowUpRow, event: FamilyEvent, recordedAt: string): void {
  const at = event.data.occurredAt;
  const status = (type: Parameters<typeof followUpStatusAfter>[1]) =>
    followUpStatusAfter(row.status, type);
  switch (event.type) {
    case 'FollowUpScheduled': {
      const d = (event as FamilyEventOf<'FollowUpScheduled'>).data;
      Object.assign(row, {
        status: status(event.type),
        policy_version: d.policyVersion,
        due_at: d.dueAt,
        window_opens_at: d.windowOpensAt,
        window_closes_at: d.windowClosesAt,
        overdue_at: d.overdueAt,
      });
      // A revisit done before it was scheduled (an old stream): on time by this schedule.
      if (row.completed_at) row.completed_on_time = onTime(row, row.completed_at);
      break;
    }
    case 'FollowUpDue':
      Object.assign(row, { status: status(event.type), due_recorded_at: recordedAt });
      break;
    case 'FollowUpMissed':
      Object.assign(row, {
        status: status(event.type),
        missed_at: at,
        missed_reason: event.data.reason,
      });
      break;
    case 'FollowUpCancelled':
      Object.assign(row, {
        status: status(event.type),
        cancelled_at: at,
        cancelled_reason: event.data.reason,
      });
      break;
    case 'FollowUpAssigned':
      row.assigned_worker = event.data.workerId;
      break;
  }
}

export function emptyFollowUpRow(): FollowUpRow {
  return {
    follow_up_id: '',
    family_id: '',
    episode: 0,
    authority: '',
    programme: '',
    exit_type: '',
    exited_at: '',
    status: 'none',
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
