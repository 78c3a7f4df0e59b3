/**
 * The return builder: (authority, period, spec, position) → content, canonical JSON and its
 * SHA-256. Deterministic: everything it reads is fixed by the position (the events up to it),
 * the spec, the outcome rules and the unit-cost table; nothing reads a clock.
 */
import {
  CohortFilter,
  EpisodeSource,
  OutcomeDefinitions,
  cohortSummary,
  domainRow,
  outcomeCounts,
} from '@app/outcomes';
import { Queryable } from '@app/projections';
import { canonicalJson, sha256 } from './canonical';
import { Column, DraftCell, DraftTable, Provenance, ReturnContent, key, publish } from './content';
import {
  Database,
  FollowUpCounts,
  PeriodBounds,
  RecordsOptions,
  ReturnRecords,
  withRecordsAt,
} from './read-models';
import { Scope } from './records';
import { ReturnSpec, SpecCohort, TableSpec } from './spec';

export interface ReturnRequest {
  /** The authority, or null for a national return (every authority). */
  authority: Scope;
  /** Inclusive dates, YYYY-MM-DD. */
  periodStart: string;
  periodEnd: string;
}

/** A money amount as a decimal string (pounds and pence), never a float. */
export type Money = string;

/** What the cost-effectiveness section needs from the savings calculator. */
export interface CostAvoidance {
  /** Unit-cost table version, for provenance. */
  unitCosts: string;
  /** Family episodes whose savings are counted. */
  families: number;
  byAgency: { agency: string; atExit: Money; oneYearOn: Money | null }[];
  total: { atExit: Money; oneYearOn: Money | null };
  /** Programme cost and £ avoided per £1 spent, when the authority's programme cost is known. */
  programmeCost: Money | null;
  returnOnSpend: string | null;
  priceYear: number | null;
}

export type CostAvoidanceSource = (input: {
  db: Queryable;
  filter: CohortFilter;
  episodes: EpisodeSource;
  definitions: OutcomeDefinitions;
}) => Promise<CostAvoidance>;

export interface BuildContext {
  db: Database;
  definitions: OutcomeDefinitions;
  software: string;
  costs?: CostAvoidanceSource;
  /** 0–100, as the build goes. */
  progress?: (pct: number) => void | Promise<void>;
  /** How long to wait for the read models to reach the position (default 10 minutes). */
  waitMs?: number;
}

/** What composing a return needs: the builder's context, with the transaction to query in. */
export type ComposeContext = Omit<BuildContext, 'db'> & { db: Queryable };

export interface BuiltReturn {
  content: ReturnContent;
  /** The canonical JSON: the bytes the hash is of, and what `format=json` serves. */
  json: string;
  sha256: string;
}

const DAY = 86_400_000;
const midnight = (date: string) => `${date}T00:00:00.000Z`;
const dayAfter = (date: string) => new Date(Date.parse(midnight(date)) + DAY).toISOString();

export const periodBounds = (request: ReturnRequest): PeriodBounds => ({
  from: midnight(request.periodStart),
  before: dayAfter(request.periodEnd),
});

export function cohortFilter(request: ReturnRequest, cohort: SpecCohort): CohortFilter {
  const { from, before } = periodBounds(request);
  const authority = request.authority ?? undefined;
  return cohort === 'referred_in_period'
    ? { authority, referredFrom: from, referredBefore: before }
    : { authority, exitedFrom: from, exitedBefore: before };
}

const count = (n: number): DraftCell => ({ count: n });
const share = (k: string, n: string, num: number, den: number): DraftCell => ({
  derived: den ? (100 * num) / den : null,
  from: [k, n],
  places: 1,
});

function table(spec: TableSpec, cohortText: string, columns: Column[]): DraftTable {
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

async function cohortAccounting(
  ctx: ComposeContext,
  t: DraftTable,
  filter: CohortFilter,
  episodes: EpisodeSource,
) {
  const s = await cohortSummary(ctx.db, filter, episodes);
  const a = s.accounting;
  const parts: [string, string, number][] = [
    ['awaiting_offer', 'Awaiting an offer', a.awaitingOffer],
    ['awaiting_decision', 'Offered, awaiting a decision', a.awaitingDecision],
    ['refused_offer', 'Refused at the offer', a.refused.byStage.offer],
    ['refused_support_plan', 'Refused at the support plan', a.refused.byStage.support_plan],
    ['refused_intervention', 'Refused during the intervention', a.refused.byStage.intervention],
    ['ongoing', 'Ongoing', a.ongoing],
    ['planned_exit', 'Planned exit', a.plannedExits],
    ['exit_disengaged', 'Exit: disengaged', a.otherExits.byReason.disengaged],
    ['exit_moved_area', 'Exit: moved out of area', a.otherExits.byReason.moved_area],
    ['exit_custody', 'Exit: custody', a.otherExits.byReason.custody],
    ['exit_other', 'Exit: other', a.otherExits.byReason.other],
  ];
  t.columns = [
    { id: 'referred', label: 'Referred', unit: 'families' },
    { id: 'offered', label: 'Offered', unit: 'families' },
    { id: 'accepted', label: 'Accepted', unit: 'families' },
    ...parts.map(([id, label]) => ({ id, label, unit: 'families' as const })),
  ];
  t.rows.push({
    id: 'families',
    label: 'Families referred',
    cells: {
      referred: count(s.referred),
      offered: count(s.offered),
      accepted: count(s.accepted),
      ...Object.fromEntries(parts.map(([id, , v]) => [id, count(v)])),
    },
  });
  // Every referral is in exactly one of the parts (offered and accepted are not exact sums of
  // them: an unplanned exit can come before either).
  t.lines.push({
    total: key(t.id, 'families', 'referred'),
    parts: parts.map(([id]) => key(t.id, 'families', id)),
  });
}

function followUpsDone(t: DraftTable, r: FollowUpCounts) {
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

function followUpOnTime(t: DraftTable, r: FollowUpCounts) {
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
      late: count(r.completed - r.onTime),
      on_time_pct: share(k('on_time'), k('completed'), r.onTime, r.completed),
    },
  });
  t.lines.push({ total: k('completed'), parts: [k('on_time'), k('late')] });
}

async function inputs(
  ctx: ComposeContext,
  t: DraftTable,
  filter: CohortFilter,
  episodes: EpisodeSource,
) {
  const s = await cohortSummary(ctx.db, filter, episodes);
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

async function outcomes(
  ctx: ComposeContext,
  t: DraftTable,
  spec: TableSpec,
  filter: CohortFilter,
  episodes: EpisodeSource,
) {
  const cohort = spec.outcomeCohort ?? 'planned_exits';
  const counts = await outcomeCounts(ctx.db, ctx.definitions, filter, cohort, episodes);
  t.columns = [
    { id: 'n', label: 'Families assessed at baseline and exit', unit: 'families' },
    { id: 'baseline', label: 'Baseline', unit: 'families' },
    { id: 'baseline_pct', label: 'Baseline (%)', unit: 'percent' },
    {
      id: 'exit',
      label: cohort === 'planned_exits' ? 'Exit' : 'Exit (or latest)',
      unit: 'families',
    },
    { id: 'exit_pct', label: 'Exit (%)', unit: 'percent' },
    { id: 'reduction_pct', label: 'Relative reduction (%)', unit: 'percent' },
    { id: 'mcnemar_p', label: 'McNemar exact p', unit: 'p_value' },
    { id: 'follow_up_n', label: 'Of those, assessed one year on', unit: 'families' },
    { id: 'follow_up', label: 'One year on', unit: 'families' },
    { id: 'follow_up_pct', label: 'One year on (%)', unit: 'percent' },
  ];
  t.rows.push({
    id: 'cohort',
    label: 'Families in the cohort',
    cells: { n: count(counts.families) },
  });
  ctx.definitions.domains.forEach((domain, i) => {
    const c = counts.domains[i];
    const row = domainRow(domain, c);
    const k = (col: string) => key(t.id, domain.id, col);
    const hide = (col: string, total: string, part: string, value: number) => {
      t.hidden[k(col)] = value;
      t.lines.push({ total: k(total), parts: [k(part), k(col)] });
    };
    hide('baseline_absent', 'n', 'baseline', c.n - c.baseline);
    hide('exit_absent', 'n', 'exit', c.n - c.end);
    hide('follow_up_absent', 'follow_up_n', 'follow_up', c.followUpN - c.followUp);
    t.rows.push({
      id: domain.id,
      label: domain.label,
      cells: {
        n: count(c.n),
        baseline: count(c.baseline),
        baseline_pct: share(k('baseline'), k('n'), c.baseline, c.n),
        exit: count(c.end),
        exit_pct: share(k('exit'), k('n'), c.end, c.n),
        reduction_pct: {
          derived: row.relativeReduction === null ? null : 100 * row.relativeReduction,
          from: [k('baseline'), k('exit')],
          places: 1,
        },
        mcnemar_p: {
          derived: c.n ? row.mcnemarP : null,
          from: [k('n'), k('baseline'), k('exit')],
          significant: 3,
        },
        follow_up_n: count(c.followUpN),
        follow_up: count(c.followUp),
        follow_up_pct: share(k('follow_up'), k('follow_up_n'), c.followUp, c.followUpN),
      },
    });
  });
}

async function savings(
  ctx: ComposeContext,
  t: DraftTable,
  filter: CohortFilter,
  episodes: EpisodeSource,
) {
  t.columns = [
    { id: 'at_exit', label: 'Avoided, baseline to exit (£)', unit: 'gbp' },
    { id: 'one_year_on', label: 'Avoided, baseline to one year on (£)', unit: 'gbp' },
  ];
  if (!ctx.costs) {
    t.rows.push({ id: 'unavailable', label: 'No unit-cost table is configured', cells: {} });
    return undefined;
  }
  const s = await ctx.costs({ db: ctx.db, filter, episodes, definitions: ctx.definitions });
  const families = key(t.id, 'families', 'at_exit');
  const money = (v: Money | null): DraftCell => (v === null ? null : { text: v, from: [families] });
  t.rows.push({ id: 'families', label: 'Families counted', cells: { at_exit: count(s.families) } });
  for (const a of s.byAgency) {
    t.rows.push({
      id: a.agency,
      label: a.agency,
      cells: { at_exit: money(a.atExit), one_year_on: money(a.oneYearOn) },
    });
  }
  t.rows.push({
    id: 'total',
    label: 'Total',
    cells: { at_exit: money(s.total.atExit), one_year_on: money(s.total.oneYearOn) },
  });
  t.rows.push({
    id: 'programme_cost',
    label: 'Programme cost (£)',
    cells: { at_exit: money(s.programmeCost) },
  });
  t.rows.push({
    id: 'return_on_spend',
    label: '£ avoided per £1 spent',
    cells: { at_exit: money(s.returnOnSpend) },
  });
  if (s.priceYear !== null)
    t.rows.push({
      id: 'price_year',
      label: 'Price year',
      cells: { at_exit: { text: String(s.priceYear) } },
    });
  return s.unitCosts;
}

/**
 * Builds the return as the records stood at `position`: from the read models (and the timeline
 * for the families they do not hold as at the position), in one snapshot.
 */
export async function buildReturn(
  ctx: BuildContext,
  spec: ReturnSpec,
  request: ReturnRequest,
  position: bigint,
): Promise<BuiltReturn> {
  await ctx.progress?.(0);
  let reported = 0;
  const options: RecordsOptions = {
    waitMs: ctx.waitMs,
    progress: async (fraction) => {
      const pct = Math.floor(70 * fraction);
      if (pct >= reported + 10) {
        reported = pct;
        await ctx.progress?.(pct);
      }
    },
  };
  return withRecordsAt(
    ctx.db,
    ctx.definitions,
    request.authority,
    periodBounds(request),
    position,
    (tx, records) => composeReturn({ ...ctx, db: tx }, spec, request, position, records),
    options,
  );
}

/** The return from its records: the tables, disclosure control, provenance, canonical JSON. */
export async function composeReturn(
  ctx: ComposeContext,
  spec: ReturnSpec,
  request: ReturnRequest,
  position: bigint,
  records: ReturnRecords,
): Promise<BuiltReturn> {
  await ctx.progress?.(70);
  const followUps = records.followUps;
  let unitCosts: string | null = null;
  const drafts: { section: { id: string; title: string }; tables: DraftTable[] }[] = [];
  for (const section of spec.sections) {
    const tables: DraftTable[] = [];
    for (const ts of section.tables) {
      const t = table(ts, spec.cohorts[ts.cohort], []);
      const filter = cohortFilter(request, ts.cohort);
      switch (ts.source) {
        case 'cohort_accounting':
          await cohortAccounting(ctx, t, filter, records.episodes);
          break;
        case 'follow_ups_done':
          followUpsDone(t, followUps);
          break;
        case 'follow_up_on_time':
          followUpOnTime(t, followUps);
          break;
        case 'inputs':
          await inputs(ctx, t, filter, records.episodes);
          break;
        case 'outcomes':
          await outcomes(ctx, t, ts, filter, records.episodes);
          break;
        case 'savings':
          unitCosts = (await savings(ctx, t, filter, records.episodes)) ?? unitCosts;
          break;
      }
      tables.push(t);
    }
    drafts.push({ section: { id: section.id, title: section.title }, tables });
  }
  tieCompletedRevisits(drafts.flatMap((d) => d.tables));
  await ctx.progress?.(90);
  const { sections, disclosure } = publish(drafts, spec.disclosure);
  const provenance: Provenance = {
    spec: spec.name,
    position: position.toString(),
    outcomeRules: { sources: ctx.definitions.sources, fingerprint: ctx.definitions.fingerprint },
    unitCosts,
    software: ctx.software,
  };
  const content: ReturnContent = {
    format: 'outcomes-ledger/return/1',
    return: {
      spec: spec.name,
      title: spec.title,
      authority: request.authority,
      ...period(request),
    },
    provenance,
    disclosure,
    sections,
  };
  const json = canonicalJson(content);
  await ctx.progress?.(100);
  return { content, json, sha256: sha256(json) };
}

const period = (r: ReturnRequest) => ({ periodStart: r.periodStart, periodEnd: r.periodEnd });

/** The completed-revisit count appears in two tables: one line ties them, so both hide together. */
function tieCompletedRevisits(tables: DraftTable[]) {
  const done = tables.filter((t) =>
    t.rows.some((r) => r.cells.completed && 'count' in r.cells.completed!),
  );
  for (let i = 1; i < done.length; i++) {
    done[0].lines.push({
      total: key(done[0].id, 'revisits', 'completed'),
      parts: [key(done[i].id, 'revisits', 'completed')],
    });
  }
}
