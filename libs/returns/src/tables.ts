/**
 * The tables of a return: one drafter per kind of table a spec names (`TableSpec.source`), each
 * filling a draft table (columns, rows of counts and derived figures, and the lines that tie
 * counts together for disclosure control) from the records as at the return's position.
 */
import { CohortFilter } from '@app/outcomes';
import type { ComposeContext } from './builder';
import { cohortAccounting } from './cohort-accounting';
import { Column, DraftCell, DraftTable, key } from './content';
import { outcomes, outcomesOneYearOn } from './outcomes-table';
import { savings } from './savings-table';
import { PublishedCounts, PublishedFollowUps } from './published-counts';
import { ReturnRecords } from './read-models';
import { TableSpec } from './spec';

/** What a drafter needs: the compose context and the return's published counts. */
export type TableContext = ComposeContext & { counts: PublishedCounts };

/**
 * Fills `t` as its spec's source says, from the records. Answers the unit-cost table's version
 * when the table used one (the savings table), for provenance.
 */
export async function fillTable(
  ctx: TableContext,
  t: DraftTable,
  ts: TableSpec,
  filter: CohortFilter,
  records: ReturnRecords,
): Promise<string | undefined> {
  switch (ts.source) {
    case 'cohort_accounting':
      await cohortAccounting(ctx, t, filter);
      break;
    case 'follow_ups_done':
      followUpsDone(t, ctx.counts.followUps());
      break;
    case 'follow_up_on_time':
      followUpOnTime(t, ctx.counts.followUps());
      break;
    case 'inputs':
      await inputs(ctx, t, filter);
      break;
    case 'outcomes':
      await outcomes(ctx, t, ts, filter);
      break;
    case 'outcomes_one_year_on':
      await outcomesOneYearOn(ctx, t, ts, filter);
      break;
    case 'savings':
      return savings(ctx, t, filter, records.episodes);
  }
  return undefined;
}

const count = (n: number): DraftCell => ({ count: n });
const share = (k: string, n: string, num: number, den: number): DraftCell => ({
  derived: den ? (100 * num) / den : null,
  from: [k, n],
  places: 1,
});

export function table(spec: TableSpec, cohortText: string, columns: Column[]): DraftTable {
  return {
    id: spec.id,
    title: spec.title,
    cohort: cohortText,
    columns,
    rows: [],
    lines: [],
    hidden: {},
  };
}

function followUpsDone(t: DraftTable, r: PublishedFollowUps) {
  t.columns = [
    { id: 'completed', label: 'Completed', unit: 'revisits' },
    { id: 'missed', label: 'Missed', unit: 'revisits' },
  ];
  t.rows.push({
    id: 'revisits',
    label: 'Twelve-month revisits',
    cells: { completed: count(r.completed), missed: count(r.missed) },
  });
}

function followUpOnTime(t: DraftTable, r: PublishedFollowUps) {
  const k = (c: string) => key(t.id, 'revisits', c);
  t.columns = [
    { id: 'completed', label: 'Completed', unit: 'revisits' },
    { id: 'on_time', label: 'On time', unit: 'revisits' },
    { id: 'late', label: 'Outside the window', unit: 'revisits' },
    { id: 'on_time_pct', label: 'On time (%)', unit: 'percent' },
  ];
  t.rows.push({
    id: 'revisits',
    label: 'Twelve-month revisits completed',
    cells: {
      completed: count(r.completed),
      on_time: count(r.onTime),
      late: count(r.late),
      on_time_pct: share(k('on_time'), k('completed'), r.onTime, r.completed),
    },
  });
  t.lines.push({ total: k('completed'), parts: [k('on_time'), k('late')] });
}

async function inputs(ctx: TableContext, t: DraftTable, filter: CohortFilter) {
  // Published: every count a cell (means and medians over the true values: not counts).
  const s = await ctx.counts.summary(filter);
  const k = (c: string) => key(t.id, 'planned_exits', c);
  const i = s.inputs;
  const mean = (v: number | null, n: string): DraftCell => ({
    derived: v,
    from: [k(n)],
    places: 1,
  });
  t.columns = [
    { id: 'families', label: 'Planned exits', unit: 'families' },
    { id: 'days_mean', label: 'Days from start to exit: mean', unit: 'days' },
    { id: 'days_median', label: 'Days from start to exit: median', unit: 'days' },
    {
      id: 'early_families',
      label: 'Families with contact hours, plan to first review',
      unit: 'families',
    },
    {
      id: 'early_hours_mean',
      label: 'Weekly contact hours, plan to first review: mean',
      unit: 'hours_per_week',
    },
    {
      id: 'late_families',
      label: 'Families with contact hours, last review to exit',
      unit: 'families',
    },
    {
      id: 'late_hours_mean',
      label: 'Weekly contact hours, last review to exit: mean',
      unit: 'hours_per_week',
    },
  ];
  t.rows.push({
    id: 'planned_exits',
    label: 'Families with a planned exit',
    cells: {
      families: count(i.daysToPlannedExit.n),
      days_mean: mean(i.daysToPlannedExit.mean, 'families'),
      days_median: mean(i.daysToPlannedExit.median, 'families'),
      early_families: count(i.weeklyContactHours.supportPlanToFirstReview.n),
      early_hours_mean: mean(i.weeklyContactHours.supportPlanToFirstReview.mean, 'early_families'),
      late_families: count(i.weeklyContactHours.lastReviewToExit.n),
      late_hours_mean: mean(i.weeklyContactHours.lastReviewToExit.mean, 'late_families'),
    },
  });
}
