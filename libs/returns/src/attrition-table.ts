/**
 * A return's attrition table: every family referred in the period, from referral through the
 * start of an intervention to a planned exit, and where each of the others is (`attrition` of
 * the outcomes slice: one place per referral). A row per step, its count and its share of the
 * referrals; the lines say that the places add up to the referrals, and tie the steps to the
 * outcomes tables that show the same families (so a count suppressed in one is in both).
 */
import { CohortFilter, EpisodeSource, OTHER_EXITS, attrition } from '@app/outcomes';
import type { ComposeContext } from './builder';
import { DraftCell, DraftTable, key } from './content';

const EXIT_LABEL: Record<(typeof OTHER_EXITS)[number], string> = {
  disengaged: 'disengaged',
  moved_area: 'moved out of area',
  custody: 'custody',
  other: 'other',
};

export async function attritionTable(
  ctx: ComposeContext,
  t: DraftTable,
  filter: CohortFilter,
  episodes: EpisodeSource,
): Promise<void> {
  const a = await attrition(ctx.db, filter, episodes);
  const k = (row: string) => key(t.id, row, 'families');
  const n = a.notStarted;
  const s = a.startedNoPlannedExit;
  const notStarted: [string, string, number][] = [
    ['awaiting_offer', 'Not started: awaiting an offer', n.awaitingOffer],
    ['awaiting_decision', 'Not started: offered, awaiting a decision', n.awaitingDecision],
    ['refused_offer', 'Not started: refused at the offer', n.refusedAtOffer],
    ...OTHER_EXITS.map((x): [string, string, number] => [
      `closed_${x}`,
      `Not started: closed before starting, ${EXIT_LABEL[x]}`,
      n.exited.byType[x],
    ]),
  ];
  const startedParts: [string, string, number][] = [
    ['ongoing', 'Started: ongoing', s.ongoing],
    ['refused_support_plan', 'Started: refused at the support plan', s.refusedAtSupportPlan],
    [
      'refused_intervention',
      'Started: refused during the intervention',
      s.refusedDuringIntervention,
    ],
    ...OTHER_EXITS.map((x): [string, string, number] => [
      `exit_${x}`,
      `Started: exit, ${EXIT_LABEL[x]}`,
      s.exited.byType[x],
    ]),
  ];
  const steps: [string, string, number][] = [
    ['referred', 'Referred', a.referred],
    ['not_started', 'Not started', n.total],
    ...notStarted,
    ['started', 'Started (accepted an intervention): all who started', a.started],
    ...startedParts,
    ['planned_exit', 'Planned exit', a.plannedExits],
  ];
  t.columns = [
    { id: 'families', label: 'Families', unit: 'families' },
    { id: 'pct_of_referred', label: 'Share of those referred (%)', unit: 'percent' },
  ];
  for (const [id, label, v] of steps) {
    const share: DraftCell = {
      derived: a.referred ? (100 * v) / a.referred : null,
      from: [k(id), k('referred')],
      places: 1,
    };
    t.rows.push({
      id,
      label,
      cells: { families: { count: v }, pct_of_referred: id === 'referred' ? null : share },
    });
  }
  const ids = (parts: [string, string, number][]) => parts.map(([id]) => k(id));
  t.lines.push(
    // Every referral is in exactly one place: the places add up to the referrals.
    { total: k('referred'), parts: [...ids(notStarted), ...ids(startedParts), k('planned_exit')] },
    { total: k('referred'), parts: [k('not_started'), k('started')] },
    { total: k('not_started'), parts: ids(notStarted) },
    { total: k('started'), parts: [...ids(startedParts), k('planned_exit')] },
  );
}

/** Which outcomes table shows the families of which step (the same rule: `cohort.ts`). */
const SAME_FAMILIES: [table: string, step: string][] = [
  ['outcomes_all_started', 'started'],
  ['outcomes_planned_exits', 'planned_exit'],
];

/**
 * A step of an attrition table and the outcomes table of the same cohort over the same period
 * (their `cohort` texts equal) show one count twice: a line ties them, so both hide together.
 */
export function tieCohortSteps(tables: readonly DraftTable[]): void {
  for (const line of tables.filter((t) => t.rows.some((r) => r.id === 'started'))) {
    for (const [id, step] of SAME_FAMILIES) {
      const outcomes = tables.find((t) => t.id === id && t.cohort === line.cohort);
      if (!outcomes || !outcomes.rows.some((r) => r.id === 'cohort')) continue;
      line.lines.push({
        total: key(line.id, step, 'families'),
        parts: [key(outcomes.id, 'cohort', 'n')],
      });
    }
  }
}
