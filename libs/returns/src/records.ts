/**
 * The records as they stood at an event-store position: every event of the authority's families
 * with a position up to and including P, folded exactly as the outcomes projection folds them.
 *
 * Why by position and not by the live read model or by `recordedAt` (`episodesAsAt`): the
 * position is total and exact (two events can share a `recordedAt`), it is what provenance
 * records, and folding the events up to P gives the same answer however far the read models
 * have moved on, and after they are rebuilt (the timeline keeps every event with its position).
 */
import { FamilyEvent, NATIONAL } from '@app/domain';
import { RevisitFacts, revisitsOf } from '@app/follow-ups/read-model';
import {
  EpisodeOutcome,
  OutcomeDefinitions,
  OutcomeHistory,
  deriveEpisodes,
  emptyHistory,
  foldOutcomeEvent,
} from '@app/outcomes';
import { TimelineEventRow, timelineUpTo } from '@app/read-models/timeline';
import { Queryable } from '@app/projections';

/** One revisit of a family episode, from its follow-up events. */
export interface FollowUpFact {
  familyId: string;
  episode: number;
  window: { opensAt: string; closesAt: string } | null;
  completedAt: string | null;
  /** Completed inside the window (the read model's `completed_on_time`); null if unknown. */
  completedOnTime: boolean | null;
  missedAt: string | null;
}

export interface Records {
  episodes: EpisodeOutcome[];
  followUps: FollowUpFact[];
}

export type TimelineRow = TimelineEventRow;

/**
 * One family's revisits from its events (in revision order), by the follow-up read model's own
 * fold, so a return counts revisits exactly as the working list shows them.
 */
export function followUpFacts(familyId: string, events: FamilyEvent[]): FollowUpFact[] {
  return revisitsOf(familyId, events).map((r) => ({
    familyId,
    episode: r.episode,
    window:
      r.window_opens_at && r.window_closes_at
        ? { opensAt: r.window_opens_at, closesAt: r.window_closes_at }
        : null,
    completedAt: r.completed_at,
    completedOnTime: r.completed_on_time,
    missedAt: r.missed_at,
  }));
}

export const isOnTime = (f: FollowUpFact) => !!f.completedAt && f.completedOnTime === true;

/** A revisit as the slice's period counts read it (a return's `return_follow_ups` row). */
export const factRecord = (f: FollowUpFact): RevisitFacts => ({
  family_id: f.familyId,
  episode: f.episode,
  completed_at: f.completedAt,
  completed_on_time: f.completedAt ? isOnTime(f) : null,
  missed_at: f.missedAt,
});

/** An authority's code, or null for every authority (a national return). */
export type Scope = string | null;

/** How the API and the CLI name the national scope (defined with the domain's codes). */
export { NATIONAL };
export const scopeOf = (code: string): Scope => (code === NATIONAL ? null : code);
export const scopeName = (scope: Scope): string => scope ?? NATIONAL;

/**
 * The families in scope as at position P (every authority's, or the authority's: its own at P),
 * folded as the outcomes projection folds them. Episodes and revisits both count for the
 * authority that owns the family at P (the follow-ups read model moves a transferred family's
 * revisits, past and pending, to its new authority, as the outcomes model moves its episodes).
 * The pure path: it reads every event of the families. The return builder uses it for the
 * families the read models do not hold as at P, and tests use it as the oracle.
 */
export async function recordsAt(
  db: Queryable,
  definitions: OutcomeDefinitions,
  authority: Scope,
  position: bigint,
  onFamily?: (done: number, total: number) => void,
): Promise<Records> {
  const rows = await timelineUpTo(db, position.toString(), { authority });
  return foldRows(rows, definitions, authority, onFamily);
}

/** Folds timeline rows (by family, in revision order), keeping the families in scope at the end. */
export function foldRows(
  rows: TimelineRow[],
  definitions: OutcomeDefinitions,
  authority: Scope,
  onFamily?: (done: number, total: number) => void,
): Records {
  const total = onFamily ? new Set(rows.map((r) => r.family_id)).size : 0;
  const episodes: EpisodeOutcome[] = [];
  const followUps: FollowUpFact[] = [];
  let current: string | undefined;
  let history: OutcomeHistory = emptyHistory();
  let events: FamilyEvent[] = [];
  let done = 0;
  const flush = () => {
    if (!current) return;
    if (authority === null || history.family.authority === authority) {
      episodes.push(...deriveEpisodes(current, history, definitions));
      followUps.push(...followUpFacts(current, events));
    }
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
