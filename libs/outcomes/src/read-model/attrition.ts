/**
 * The attrition line, defined once: every referral (family episode) from referral through the
 * start of an intervention (accepted: the `all_started` cohort's membership, `cohort.ts`) to a
 * planned exit, and where each of the others is. Each episode is in exactly one place (`PLACES`);
 * `placeOf` is the rule in TypeScript and the SQL is generated from the same table (held equal by
 * `cohort.int-spec.ts`). The consent rule applies as to every evaluator output: a family that
 * withdrew consent to evaluation is in no place, and counted as `excludedForConsent`.
 */
import { EXIT_TYPES, ExitType, RefusalStage } from '@app/domain';
import { EpisodeOutcome } from '../episode-outcomes';
import type { Published } from './cells';
import { countedSql, shownCount } from './cells.queries';
import { eligibleFor, eligibleSql, excludedForConsent, excludedForConsentSql } from './cohort';
import {
  CohortFilter,
  EpisodeSource,
  LIVE,
  Queryable,
  filterSql,
  fromSql,
  matchesFilter,
} from './source';

export type OtherExit = Exclude<ExitType, 'planned'>;
export const OTHER_EXITS = EXIT_TYPES.filter((t): t is OtherExit => t !== 'planned');

export interface Attrition {
  /** Referrals (episodes) the consent rule leaves out of every figure here. */
  excludedForConsent: number;
  /** Every referral: `started` + `notStarted.total`. */
  referred: number;
  /** Accepted an intervention: the intention-to-treat cohort (`all_started`). */
  started: number;
  /** Of those who started, a planned exit: the `planned_exits` cohort. */
  plannedExits: number;
  /** Referred and not (yet) started, by where each stands. */
  notStarted: {
    total: number;
    awaitingOffer: number;
    awaitingDecision: number;
    refusedAtOffer: number;
    /** Closed before any intervention started (in no outcomes cohort). */
    exited: { total: number; byType: Record<OtherExit, number> };
  };
  /** Started, with no planned exit (yet): `started` − `plannedExits`. */
  startedNoPlannedExit: {
    total: number;
    ongoing: number;
    refusedAtSupportPlan: number;
    refusedDuringIntervention: number;
    exited: { total: number; byType: Record<OtherExit, number> };
  };
}

interface PlaceRule {
  started: boolean;
  status: EpisodeOutcome['status'];
  refusalStage?: RefusalStage;
  exitType?: ExitType;
}

/** Each place by its path in `Attrition`; every episode the decider allows is in exactly one. */
export const PLACES: Readonly<Record<string, PlaceRule>> = {
  'notStarted.awaitingOffer': { started: false, status: 'referred' },
  'notStarted.awaitingDecision': { started: false, status: 'offered' },
  'notStarted.refusedAtOffer': { started: false, status: 'refused', refusalStage: 'offer' },
  ...Object.fromEntries(
    OTHER_EXITS.map((t) => [
      `notStarted.exited.byType.${t}`,
      { started: false, status: 'exited', exitType: t },
    ]),
  ),
  'startedNoPlannedExit.ongoing': { started: true, status: 'accepted' },
  'startedNoPlannedExit.refusedAtSupportPlan': {
    started: true,
    status: 'refused',
    refusalStage: 'support_plan',
  },
  'startedNoPlannedExit.refusedDuringIntervention': {
    started: true,
    status: 'refused',
    refusalStage: 'intervention',
  },
  ...Object.fromEntries(
    OTHER_EXITS.map((t) => [
      `startedNoPlannedExit.exited.byType.${t}`,
      { started: true, status: 'exited', exitType: t },
    ]),
  ),
  plannedExits: { started: true, status: 'exited', exitType: 'planned' },
};
const PLACE_PATHS = Object.keys(PLACES);

/** The place of an episode (consent aside), or undefined for one the decider would refuse. */
export function placeOf(e: EpisodeOutcome): string | undefined {
  const started = eligibleFor('all_started', e);
  return PLACE_PATHS.find((path) => {
    const p = PLACES[path];
    return (
      p.started === started &&
      p.status === e.status &&
      (p.refusalStage === undefined || p.refusalStage === e.refusalStage) &&
      (p.exitType === undefined || p.exitType === e.exitType)
    );
  });
}

/** `placeOf(e) === path` as a condition over `e`. */
function placeSql(path: string): string {
  const p = PLACES[path];
  const started = eligibleSql('all_started');
  const clauses = [p.started ? `(${started})` : `NOT (${started})`, `e.status = '${p.status}'`];
  if (p.refusalStage) clauses.push(`e.refusal_stage = '${p.refusalStage}'`);
  if (p.exitType) clauses.push(`e.exit_type = '${p.exitType}'`);
  return clauses.join(' AND ');
}

/** The line from the count of each place (the totals are sums of their places). */
export function toAttrition(excluded: number, referred: number, at: (path: string) => number) {
  const byType = (group: string) =>
    Object.fromEntries(OTHER_EXITS.map((t) => [t, at(`${group}.exited.byType.${t}`)])) as Record<
      OtherExit,
      number
    >;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const notExited = byType('notStarted');
  const startedExited = byType('startedNoPlannedExit');
  const notStarted = {
    awaitingOffer: at('notStarted.awaitingOffer'),
    awaitingDecision: at('notStarted.awaitingDecision'),
    refusedAtOffer: at('notStarted.refusedAtOffer'),
    exited: { total: sum(notExited), byType: notExited },
  };
  const startedNoPlannedExit = {
    ongoing: at('startedNoPlannedExit.ongoing'),
    refusedAtSupportPlan: at('startedNoPlannedExit.refusedAtSupportPlan'),
    refusedDuringIntervention: at('startedNoPlannedExit.refusedDuringIntervention'),
    exited: { total: sum(startedExited), byType: startedExited },
  };
  const total = (g: Record<string, number | { total: number }>) =>
    Object.values(g).reduce<number>((a, v) => a + (typeof v === 'number' ? v : v.total), 0);
  const plannedExits = at('plannedExits');
  const startedTotal = total(startedNoPlannedExit) + plannedExits;
  const attrition: Attrition = {
    excludedForConsent: excluded,
    referred,
    started: startedTotal,
    plannedExits,
    notStarted: { total: total(notStarted), ...notStarted },
    startedNoPlannedExit: { total: total(startedNoPlannedExit), ...startedNoPlannedExit },
  };
  return attrition;
}

/** The attrition line over episodes in memory: the definition the SQL is held equal to. */
export function attritionOf(episodes: readonly EpisodeOutcome[], filter: CohortFilter): Attrition {
  const matching = episodes.filter((e) => matchesFilter(filter, e));
  const counted = matching.filter((e) => !excludedForConsent(e));
  const tally = new Map<string, number>();
  for (const e of counted) {
    const place = placeOf(e);
    if (place) tally.set(place, (tally.get(place) ?? 0) + 1);
  }
  return toAttrition(
    matching.length - counted.length,
    counted.length,
    (path) => tally.get(path) ?? 0,
  );
}

/**
 * The attrition line of the filter's episodes, in one pass. `published`: under cell-key
 * perturbation, each place (and the consent exclusions) is a keyed cell published through it, and
 * every total is the sum of its published places, so the line still adds up.
 */
export async function attrition(
  db: Queryable,
  filter: CohortFilter,
  source: EpisodeSource = LIVE,
  published?: Published,
): Promise<Attrition> {
  const params: unknown[] = [];
  const src = fromSql(source, params);
  const clauses = filterSql(filter, params);
  const rk = published ? `, ${published.keys(params)} AS rk` : '';
  const counted = countedSql(published);
  const kept = `NOT (${excludedForConsentSql})`;
  const places = PLACE_PATHS.map((path, i) => counted(`${kept} AND ${placeSql(path)}`, `p${i}`));
  const [row] = (await db.query(
    `SELECT ${[counted(excludedForConsentSql, 'excluded'), counted(kept, 'referred'), ...places].join(', ')}
     FROM (SELECT e.*${rk} FROM ${src}
           ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}) e`,
    params,
  )) as Record<string, string>[];
  const shown = shownCount(published);
  const at = PLACE_PATHS.map((_p, i) => shown(row, `p${i}`));
  return toAttrition(
    shown(row, 'excluded'),
    // Published, the referrals are the sum of their published places, so the line adds up.
    published ? at.reduce((a, b) => a + b, 0) : shown(row, 'referred'),
    (path) => at[PLACE_PATHS.indexOf(path)],
  );
}
