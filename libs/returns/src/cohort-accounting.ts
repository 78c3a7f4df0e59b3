/**
 * A return's cohort accounting table, which is also its attrition line: every family referred in
 * the period, from referral through the start of an intervention (accepted) to a planned exit,
 * and where each of the others is (`attrition` of the outcomes slice: one place per referral).
 * The lines say that the places add up to the referrals and that the places after a start add up
 * to the families who started; a line ties the families who started to the outcomes table of all
 * who started over the same referrals (so a count suppressed in one is in both).
 */
import { CohortFilter, OTHER_EXITS } from '@app/outcomes';
import { DraftTable, key } from './content';
import type { TableContext } from './tables';

const EXIT_LABEL: Record<(typeof OTHER_EXITS)[number], string> = {
  disengaged: 'disengaged',
  moved_area: 'moved out of area',
  custody: 'custody',
  other: 'other',
};

export async function cohortAccounting(
  ctx: TableContext,
  t: DraftTable,
  filter: CohortFilter,
): Promise<void> {
  // Published: the line place by place (its totals are sums of its places), the offers a cell.
  const [s, a] = await Promise.all([ctx.counts.summary(filter), ctx.counts.attrition(filter)]);
  const n = a.notStarted;
  const after = a.startedNoPlannedExit;
  const notStarted: [string, string, number][] = [
    ['awaiting_offer', 'Awaiting an offer', n.awaitingOffer],
    ['awaiting_decision', 'Offered, awaiting a decision', n.awaitingDecision],
    ['refused_offer', 'Refused at the offer', n.refusedAtOffer],
    ['closed_before_start', 'Closed before starting (no intervention)', n.exited.total],
  ];
  const started: [string, string, number][] = [
    ['refused_support_plan', 'Refused at the support plan', after.refusedAtSupportPlan],
    ['refused_intervention', 'Refused during the intervention', after.refusedDuringIntervention],
    ['ongoing', 'Ongoing', after.ongoing],
    ['planned_exit', 'Planned exit', a.plannedExits],
    ...OTHER_EXITS.map((x): [string, string, number] => [
      `exit_${x}`,
      `Exit: ${EXIT_LABEL[x]}`,
      after.exited.byType[x],
    ]),
  ];
  const parts = [...notStarted, ...started];
  t.columns = [
    { id: 'referred', label: 'Referred', unit: 'families' },
    { id: 'offered', label: 'Offered', unit: 'families' },
    { id: 'accepted', label: 'Started (accepted)', unit: 'families' },
    ...parts.map(([id, label]) => ({ id, label, unit: 'families' as const })),
  ];
  t.rows.push({
    id: 'families',
    label: 'Families referred',
    cells: {
      referred: { count: a.referred },
      offered: { count: s.offered },
      accepted: { count: a.started },
      ...Object.fromEntries(parts.map(([id, , v]) => [id, { count: v }])),
    },
  });
  const k = (c: string) => key(t.id, 'families', c);
  // Every referral is in exactly one of the places; every family that started, in one of those
  // after the start (the exits are of families who started: one closed before is no exit from
  // the programme). Offered is no sum of them: a referral can close before an offer.
  t.lines.push(
    { total: k('referred'), parts: parts.map(([id]) => k(id)) },
    { total: k('accepted'), parts: started.map(([id]) => k(id)) },
  );
}

/**
 * The families who started, in a cohort accounting table, are the outcomes table of all who
 * started over the same referrals (their `cohort` texts equal): a line ties the two counts.
 */
export function tieCohortSteps(tables: readonly DraftTable[]): void {
  for (const accounting of tables) {
    const families = accounting.rows.find((r) => r.id === 'families');
    if (!families?.cells.accepted || !families.cells.closed_before_start) continue;
    const outcomes = tables.find(
      (t) =>
        t.id === 'outcomes_all_started' &&
        t.cohort === accounting.cohort &&
        t.rows.some((r) => r.id === 'cohort'),
    );
    if (!outcomes) continue;
    accounting.lines.push({
      total: key(accounting.id, 'families', 'accepted'),
      parts: [key(outcomes.id, 'cohort', 'n')],
    });
  }
}
