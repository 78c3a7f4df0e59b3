/**
 * The per-episode facts derived from a family's outcome history (`history.ts`): cohort dates, the
 * state of every outcome domain at baseline, exit, latest and follow-up, and the input measures.
 */
import { DomainAssessment, Episode, isRevisited } from '@app/domain';
import { OutcomeDefinitions, OutcomeDomain, Predicate } from './definitions';
import {
  AssessmentFact,
  AssessmentSource,
  EpisodeFacts,
  HistoryFact,
  OutcomeHistory,
  ms,
} from './history';

const DAY = 86_400_000;

/** true / false, or null when not assessed. */
export type DomainState = boolean | null;

/** Evaluates an assessment predicate; an absent field is "not assessed" (null), never false. */
export function evaluateAssessment(predicate: Predicate, a: DomainAssessment): DomainState {
  if (!('assessment' in predicate)) return null;
  const value = a[predicate.assessment];
  if (value === undefined || value === null) return null;
  switch (predicate.op) {
    case 'count_eq':
      return Array.isArray(value) ? new Set(value).size === predicate.value : null;
    case 'count_gte':
      return Array.isArray(value) ? new Set(value).size >= predicate.value : null;
    case 'gte':
      return typeof value === 'number' ? value >= predicate.value : null;
    case 'eq':
      return typeof value === 'number' ? value === predicate.value : null;
    case 'is_true':
      return typeof value === 'boolean' ? value : null;
    case 'is_false':
      return typeof value === 'boolean' ? !value : null;
  }
}

/**
 * Evaluates an event-derived predicate over facts with `occurredAt` in (from, to]; `times` holds
 * the facts' times (ms), parsed once per family rather than once per domain and point.
 */
export function evaluateWindow(
  predicate: Predicate,
  facts: readonly HistoryFact[],
  times: readonly number[],
  from: number,
  to: number,
): DomainState {
  if ('events' in predicate) {
    // Incidents are recorded when they happen: no record in the window means none happened.
    let count = 0;
    for (let i = 0; i < facts.length; i++) {
      if (times[i] > from && times[i] <= to && facts[i].type === predicate.events) count++;
    }
    return count >= predicate.value;
  }
  if ('attendance' in predicate) {
    let possible = 0;
    let attended = 0;
    for (let i = 0; i < facts.length; i++) {
      const f = facts[i];
      if (!(times[i] > from && times[i] <= to) || f.type !== 'SchoolAttendanceRecorded') continue;
      possible += f.possible ?? 0;
      attended += f.attended ?? 0;
    }
    return possible > 0 ? attended < predicate.value * possible : null;
  }
  return null;
}

export type Point = 'baseline' | 'exit' | 'latest' | 'followUp';
export const POINTS: readonly Point[] = ['baseline', 'exit', 'latest', 'followUp'];

/** Per point: which domains were assessed, and which of those were present (bit i = domain i). */
export type PointMasks = Record<Point, { assessed: bigint; present: bigint }>;

const STAGES: Record<Point, AssessmentSource[]> = {
  baseline: ['referral', 'support_plan'],
  exit: ['exit'],
  latest: ['referral', 'support_plan', 'review', 'exit'],
  followUp: ['follow_up'],
};

/** What the domains' states at the points of one episode are read from, prepared once. */
interface EpisodeView {
  episode: Episode;
  history: readonly HistoryFact[];
  /** The history facts' times (ms), index for index. */
  times: readonly number[];
  /** Per point, the assessments that count, in the order they are tried. */
  candidates: Record<Point, AssessmentFact[]>;
}

function episodeView(
  episode: Episode,
  facts: EpisodeFacts,
  history: Pick<EpisodeView, 'history' | 'times'>,
): EpisodeView {
  const candidates = {} as Record<Point, AssessmentFact[]>;
  for (const point of POINTS) {
    // Baseline: the earliest assessment that covers the domain; the other points: the latest.
    const timed = facts.assessments
      .filter((f) => STAGES[point].includes(f.stage))
      .map((f) => ({ f, t: ms(f.at) }))
      .sort((x, y) => x.t - y.t || x.f.seq - y.f.seq)
      .map((x) => x.f);
    if (point !== 'baseline') timed.reverse();
    candidates[point] = timed;
  }
  return { episode, ...history, candidates };
}

/** The state of one domain at one point of an episode. */
function domainStateAt(domain: OutcomeDomain, point: Point, view: EpisodeView): DomainState {
  const { episode, history, times } = view;
  if (domain.window) {
    const w = domain.window;
    const anchor = (iso: string | undefined) => (iso === undefined ? undefined : ms(iso));
    const exited = anchor(episode.exitedAt);
    switch (point) {
      case 'baseline': {
        const start = ms(episode.referredAt);
        return evaluateWindow(
          domain.predicate,
          history,
          times,
          start - w.baselineDays * DAY,
          start,
        );
      }
      case 'exit':
        return exited === undefined
          ? null
          : evaluateWindow(domain.predicate, history, times, exited - w.endDays * DAY, exited);
      case 'latest': {
        const last = ms(episode.lastLifecycleAt);
        return evaluateWindow(domain.predicate, history, times, last - w.endDays * DAY, last);
      }
      case 'followUp':
        return exited === undefined
          ? null
          : evaluateWindow(domain.predicate, history, times, exited, exited + w.followUpDays * DAY);
    }
  }
  for (const c of view.candidates[point]) {
    const state = evaluateAssessment(domain.predicate, c.a);
    if (state !== null) return state;
  }
  return null;
}

/** The episode's lifecycle steps as the read model holds them: a step not taken is null. */
export type EpisodeSteps = {
  [K in (typeof STEPS)[number]]-?: NonNullable<Episode[K]> | null;
};
const STEPS = [
  'offeredAt',
  'acceptedAt',
  'supportPlanAgreedAt',
  'refusedAt',
  'refusalStage',
  'exitedAt',
  'exitType',
] as const;

/** One row of the outcomes read model: a family episode with its cohort facts and domain states. */
export interface EpisodeOutcome extends EpisodeSteps {
  familyId: string;
  episode: number;
  authority: string;
  programme: string;
  status: Episode['status'];
  referredAt: string;
  movedArea: boolean;
  /** Whether the episode's twelve-month revisit was completed (the one-year-on column's n). */
  revisited: boolean;
  masks: PointMasks;
  /** Weekly contact hours from the support plan to the first review (that review's figure). */
  earlyWeeklyHours: number | null;
  /** Support hours delivered after the last review up to the exit, per week of that period. */
  lateWeeklyHours: number | null;
  supportTypes: string[];
  /**
   * When the family withdrew consent to evaluation (`occurredAt`), if that withdrawal stands in
   * the events folded: the family's, so on every episode. See `cohort.ts`'s consent rule.
   */
  evaluationWithdrawnAt: string | null;
  /**
   * When the family withdrew consent to its records being shared outside the authority, if that
   * withdrawal stands: record-level extracts leave it out (`cohort.ts`'s sharing rule). Folded
   * from the events each time a return is built; the outcomes tables do not store it.
   */
  dataSharingWithdrawnAt: string | null;
}

export function deriveEpisodes(
  familyId: string,
  h: OutcomeHistory,
  definitions: OutcomeDefinitions,
): EpisodeOutcome[] {
  const { family } = h;
  const history = { history: h.history, times: h.history.map((f) => ms(f.at)) };
  return family.episodes.map((episode, i) => {
    const facts = h.episodes[i];
    const view = episodeView(episode, facts, history);
    const masks = {} as PointMasks;
    const revisited = isRevisited(episode.followUp);
    for (const point of POINTS) {
      let assessed = 0n;
      let present = 0n;
      // One year on is the revisit's column: an episode not revisited has nothing in it.
      if (point === 'followUp' && !revisited) {
        masks[point] = { assessed, present };
        continue;
      }
      definitions.domains.forEach((domain, bit) => {
        const state = domainStateAt(domain, point, view);
        if (state === null) return;
        assessed |= 1n << BigInt(bit);
        if (state) present |= 1n << BigInt(bit);
      });
      masks[point] = { assessed, present };
    }
    const reviews = [...facts.reviews].sort((x, y) => ms(x.at) - ms(y.at));
    const lastReview = reviews[reviews.length - 1];
    let lateWeeklyHours: number | null = null;
    if (episode.exitedAt && lastReview && ms(episode.exitedAt) > ms(lastReview.at)) {
      const from = ms(lastReview.at);
      const to = ms(episode.exitedAt);
      const hours = facts.support
        .filter((s) => ms(s.at) > from && ms(s.at) <= to)
        .reduce((sum, s) => sum + (s.hours ?? 0), 0);
      lateWeeklyHours = hours / ((to - from) / (7 * DAY));
    }
    return {
      familyId,
      episode: episode.number,
      authority: family.authority!,
      programme: family.programme!,
      status: episode.status,
      referredAt: episode.referredAt,
      ...(Object.fromEntries(STEPS.map((k) => [k, episode[k] ?? null])) as EpisodeSteps),
      movedArea: facts.movedArea || episode.exitType === 'moved_area',
      revisited,
      masks,
      earlyWeeklyHours: reviews.length ? reviews[0].hours : null,
      lateWeeklyHours,
      supportTypes: [...new Set(facts.support.map((s) => s.type))].sort(),
      evaluationWithdrawnAt: family.consentWithdrawn?.evaluation ?? null,
      dataSharingWithdrawnAt: family.consentWithdrawn?.data_sharing ?? null,
    };
  });
}
