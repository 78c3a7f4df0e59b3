/**
 * Back-entered history (which episode a fact belongs to) and idempotent retries: parts of the
 * decider kept here by name (`decide.ts` calls `history`; the write path `isSameRecord`).
 */
import { sortedKeysJson } from './canonical';
import { episodeAt } from './episodes';
import { conflict, invalid } from './errors';
import { FamilyEvent, FamilyEventData } from './events';
import { oneYearOnAssessment } from './revisit';
import { Episode, FamilyState, closedAt, isOpen, time } from './state';

export function history(event: FamilyEvent, state: FamilyState, current: Episode): FamilyEvent {
  const at = time(event.data.occurredAt);
  if (oneYearOnAssessment(event, current.number)) {
    // One way to record the revisit: through the revisit itself (see revisit.ts).
    invalid(
      'stage',
      'one-year-on-through-revisit',
      'a one-year-on (follow_up) assessment is recorded by completing the revisit: ' +
        'POST /v1/follow-ups/{followUpId}/complete with the assessment (find the id with ' +
        'GET /v1/follow-ups?status=due)',
    );
  }
  // A fact belongs to the episode it happened in: after an exit, only back-entered history
  // (dated on or before the end of the episode) is accepted.
  if (!isOpen(current) && at > time(closedAt(current)!)) {
    conflict(
      'episode-closed',
      `episode ${current.number} closed on ${closedAt(current)}: only follow-up, movement, consent or a new referral may follow`,
    );
  }
  const { beforeReferral: _ignored, ...data } =
    event.data as FamilyEventData['AsbIncidentRecorded'];
  const episode = episodeAt(state.episodes, at);
  const before = at < time(episode.referredAt);
  return {
    type: event.type,
    data: before ? { ...data, beforeReferral: true } : data,
  } as FamilyEvent;
}

/**
 * Whether a stored event records the same thing as a new request (idempotent retries by id):
 * same type and payload, ignoring what the decider added itself.
 */
export function isSameRecord(stored: FamilyEvent, requested: FamilyEvent): boolean {
  const strip = (e: FamilyEvent) => {
    const { beforeReferral: _derived, ...data } = e.data as { beforeReferral?: true };
    return sortedKeysJson({ type: e.type, data });
  };
  return strip(stored) === strip(requested);
}
