/** Rules on an event's own payload and on personal data, whatever the family's history. */
import { invalid, conflict } from './errors';
import { CONSENT_PURPOSES, FamilyEvent, isSealed, freeTextOf, memberDetailsOf } from './events';
import { FOLLOW_UP_MISSED_REASONS, assessedDomains, ASSESSED_DOMAINS } from './revisit';
import { FamilyState, time } from './state';

/**
 * Personal details travel sealed only (the write path seals them with the family's key), and none
 * may be recorded once the family's personal data was erased: its key no longer exists.
 */
export function personalData(event: FamilyEvent, state: FamilyState): void {
  const details = memberDetailsOf(event);
  const members = event.type === 'FamilyReferred' ? (event.data.members ?? []) : [];
  const MEMBER_FIELDS = ['memberId', 'role', 'details'];
  if (members.some((m) => Object.keys(m).some((k) => !MEMBER_FIELDS.includes(k)))) {
    invalid('members', 'details-sealed', 'a member carries only memberId, role and sealed details');
  }
  if (details.some((d) => !isSealed(d))) {
    invalid(
      'details',
      'details-sealed',
      'personal details must be sealed before they are recorded',
    );
  }
  if (state.erased && event.type === 'FamilyErased') {
    conflict('erase-once', "the family's personal data is already erased");
  }
  if (state.erased && details.length) {
    conflict('family-erased', "the family's personal data was erased: no details can be recorded");
  }
  // Free text may name a person: sealed like details, and none once the family's key is gone.
  const text = freeTextOf(event);
  if (text !== undefined && !isSealed(text)) {
    invalid('reason', 'text-sealed', 'free text must be sealed before it is recorded');
  }
  if (state.erased && text !== undefined) {
    conflict(
      'family-erased',
      "the family's personal data was erased: record this without a reason",
    );
  }
}

/** Cross-field rules that a per-field schema cannot express. */
export function checkPayload(event: FamilyEvent): void {
  switch (event.type) {
    case 'ConsentRecorded':
    case 'ConsentWithdrawn':
      // New events carry a listed code; free text is schema 1's, read through consentPurposesOf.
      if (!(CONSENT_PURPOSES as readonly string[]).includes(event.data.purpose)) {
        invalid(
          'purpose',
          'consent-purpose',
          `purpose must be one of ${CONSENT_PURPOSES.join(', ')}`,
        );
      }
      break;
    case 'SchoolAttendanceRecorded': {
      const d = event.data;
      if (time(d.periodEnd) < time(d.periodStart)) {
        invalid('periodEnd', 'not-before-period-start', 'periodEnd must not be before periodStart');
      }
      if (d.attendedSessions > d.possibleSessions) {
        invalid(
          'attendedSessions',
          'at-most-possible',
          'attendedSessions must not exceed possibleSessions',
        );
      }
      if (d.unauthorisedSessions > d.possibleSessions - d.attendedSessions) {
        invalid(
          'unauthorisedSessions',
          'at-most-missed',
          'unauthorisedSessions must not exceed the sessions missed (possible - attended)',
        );
      }
      break;
    }
    case 'FollowUpCompleted':
      if (!event.data.assessment || !assessedDomains(event.data.assessment).length) {
        invalid(
          'assessment',
          'at-least-one-domain',
          `a revisit is completed with its one-year-on assessment: assess at least one of ${ASSESSED_DOMAINS.join(', ')}`,
        );
      }
      break;
    case 'FollowUpMissed':
      if (!FOLLOW_UP_MISSED_REASONS.includes(event.data.reason)) {
        invalid(
          'reason',
          'missed-reason',
          `reason must be one of: ${FOLLOW_UP_MISSED_REASONS.join(', ')}`,
        );
      }
      break;
    case 'FollowUpScheduled': {
      const d = event.data;
      if (time(d.dueAt) < time(d.occurredAt)) {
        invalid('dueAt', 'not-before-occurred-at', 'dueAt must not be before occurredAt');
      }
      if (!(time(d.windowOpensAt) <= time(d.dueAt) && time(d.dueAt) <= time(d.windowClosesAt))) {
        invalid('windowOpensAt', 'window-around-due', 'the on-time window must contain dueAt');
      }
      if (time(d.overdueAt) < time(d.dueAt)) {
        invalid('overdueAt', 'not-before-due-at', 'overdueAt must not be before dueAt');
      }
      break;
    }
  }
}
