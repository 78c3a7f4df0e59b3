/**
 * The records as they stood at an event-store position: every event of the authority's families
 * with a position up to and including P, folded exactly as the outcomes projection folds them.
 *
 * Why by position and not by the live read model or by `recordedAt` (`episodesAsAt`): the
 * position is total and exact (two events can share a `recordedAt`), it is what provenance
 * records, and folding the events up to P gives the same answer however far the read models
 * have moved on, and after they are rebuilt (the timeline keeps every event with its position).
 */
import { FamilyEvent } from '@app/domain';
import { completedOnTime } from '@app/follow-ups/policy';
import {
  EpisodeOutcome,
  OutcomeDefinitions,
  OutcomeHistory,
  deriveEpisodes,
  emptyHistory,
  foldOutcomeEvent,
} from '@app/outcomes';
import { Queryable } from '@app/projections';

/** One revisit of a family episode, from its follow-up events. */
export interface FollowUpFact {
  familyId: string;
  episode: number;
  window: { opensAt: string; closesAt: string } | null;
  completedAt: string | null;
  missedAt: string | null;
}

export interface Records {
  episodes: EpisodeOutcome[];
  followUps: FollowUpFact[];
}

interface Row {
  family_id: string;
  revision: string;
  type: string;
  data: FamilyEvent['data'];
}

/** Folds one family's follow-up events (in revision order) into its revisits. */
export function followUpFacts(familyId: string, events: FamilyEvent[]): FollowUpFact[] {
  const byEpisode = new Map<number, FollowUpFact>();
  const get = (episode: number) => {
    let f = byEpisode.get(episode);
    if (!f) {
      f = { familyId, episode, window: null, completedAt: null, missedAt: null };
      byEpisode.set(episode, f);
    }
    return f;
  };
  for (const e of events) {
    switch (e.type) {
      case 'FollowUpScheduled':
        get(e.data.episode).window = {
          opensAt: e.data.windowOpensAt,
          closesAt: e.data.windowClosesAt,
        };
        break;
      case 'FollowUpCompleted':
        get(e.data.episode).completedAt = e.data.occurredAt;
        break;
      case 'FollowUpMissed':
        get(e.data.episode).missedAt = e.data.occurredAt;
        break;
    }
  }
  return [...byEpisode.values()].sort((a, b) => a.episode - b.episode);
}

export const isOnTime = (f: FollowUpFact) =>
  !!f.completedAt &&
  !!f.window &&
  completedOnTime(
    { windowOpensAt: f.window.opensAt, windowClosesAt: f.window.closesAt },
    f.completedAt,
  );

/**
 * The authority's families as at position P: those referred to it by then (by the referral
 * event's own data, so a later move elsewhere does not take a family out of an old return).
 */
export async function recordsAt(
  db: Queryable,
  definitions: OutcomeDefinitions,
  authority: string,
  position: bigint,
  onFamily?: (done: number, total: number) => void,
): Promise<Records> {
  const rows = (await db.query(
    `SELECT t.family_id, t.revision, t.type, t.data FROM family_timeline t
     WHERE t.position <= $1 AND t.family_id IN (
       SELECT r.family_id FROM family_timeline r
       WHERE r.type = 'FamilyReferred' AND r.data->>'authority' = $2 AND r.position <= $1)
     ORDER BY t.family_id, t.revision`,
    [position.toString(), authority],
  )) as Row[];
  const total = new Set(rows.map((r) => r.family_id)).size;
  const episodes: EpisodeOutcome[] = [];
  const followUps: FollowUpFact[] = [];
  let current: string | undefined;
  let history: OutcomeHistory = emptyHistory();
  let events: FamilyEvent[] = [];
  let done = 0;
  const flush = () => {
    if (!current) return;
    episodes.push(...deriveEpisodes(current, history, definitions));
    followUps.push(...followUpFacts(current, events));
    onFamily?.(++done, total);
  };
  for (const r of rows) {
    if (r.family_id !== current) {
      flush();
      current = r.family_id;
      history = emptyHistory();
      events = [];
    }
    const event = { type: r.type, data: r.data } as FamilyEvent;
    history = foldOutcomeEvent(history, event, Number(r.revision));
    events.push(event);
  }
  flush();
  return { episodes, followUps };
}
