/**
 * The same disclosure rule for the evaluator queries (`?disclosure=on` on `/v1/outcomes` and
 * `/v1/cohorts/summary`): the answer keeps its shape, suppressed counts and every figure computed
 * from them become "[c]", and the answer states the rule. Pure.
 */
import { DisclosureStatement } from './content';
import { CountTable, DisclosureRule, Line, SUPPRESSED, protect, ruleText } from './disclosure';

type Json = Record<string, unknown>;

/** Where counts are in an answer, the sums between them, and what is computed from them. */
export interface Plan {
  counts: string[];
  hidden: Record<string, number>;
  lines: Line[];
  derived: [path: string, from: string[]][];
}

const get = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Json)[k]), obj);

function set(obj: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((o, k) => (o == null ? undefined : (o as Json)[k]), obj);
  if (parent != null && last in (parent as Json)) (parent as Json)[last] = value;
}

export function apply<T>(
  answer: T,
  plan: Plan,
  rule: DisclosureRule,
): T & { disclosure: DisclosureStatement } {
  const out = structuredClone(answer) as T & { disclosure: DisclosureStatement };
  const table: CountTable = { cells: {}, lines: plan.lines, hidden: Object.keys(plan.hidden) };
  for (const p of plan.counts) {
    const v = get(answer, p);
    if (typeof v === 'number') table.cells[p] = v;
  }
  Object.assign(table.cells, plan.hidden);
  const { primary, suppressed } = protect(table, rule);
  const hidden = new Set(suppressed);
  for (const p of suppressed) set(out, p, SUPPRESSED);
  for (const [p, from] of plan.derived) {
    if (from.some((f) => hidden.has(f)) && get(out, p) !== undefined && get(out, p) !== null) {
      set(out, p, SUPPRESSED);
    }
  }
  out.disclosure = {
    threshold: rule.threshold,
    symbol: SUPPRESSED,
    rule: ruleText(rule),
    suppressed: { primary: primary.length, secondary: suppressed.length - primary.length },
  };
  return out;
}

export interface SummaryAnswer {
  referred: number;
  excludedForConsent?: number;
  accounting: {
    refused: { byStage: Record<string, number> };
    otherExits: { byReason: Record<string, number> };
  };
  inputs: { supportTypes: { type: string; families: number; pct: number }[] };
  followUps?: object;
}

/** The cohort summary: the accounting sums (every referral in exactly one place), inputs, follow-ups. */
export function discloseSummary<T extends SummaryAnswer>(answer: T, rule: DisclosureRule) {
  const stages = Object.keys(answer.accounting.refused.byStage).map(
    (k) => `accounting.refused.byStage.${k}`,
  );
  const reasons = Object.keys(answer.accounting.otherExits.byReason).map(
    (k) => `accounting.otherExits.byReason.${k}`,
  );
  const parts = [
    'accounting.awaitingOffer',
    'accounting.awaitingDecision',
    'accounting.refused.total',
    'accounting.ongoing',
    'accounting.plannedExits',
    'accounting.otherExits.total',
  ];
  const hoursEarly = 'inputs.weeklyContactHours.supportPlanToFirstReview';
  const hoursLate = 'inputs.weeklyContactHours.lastReviewToExit';
  const plan: Plan = {
    counts: [
      ...(answer.excludedForConsent !== undefined ? ['excludedForConsent'] : []),
      'referred',
      'offered',
      'accepted',
      'movedArea',
      ...parts,
      ...stages,
      ...reasons,
      'inputs.daysToPlannedExit.n',
      `${hoursEarly}.n`,
      `${hoursLate}.n`,
      ...answer.inputs.supportTypes.map((_s, i) => `inputs.supportTypes.${i}.families`),
    ],
    hidden: {},
    lines: [
      { total: 'referred', parts },
      { total: 'accounting.refused.total', parts: stages },
      { total: 'accounting.otherExits.total', parts: reasons },
      // The same count twice: suppressed in one place, suppressed in both.
      { total: 'accounting.plannedExits', parts: ['inputs.daysToPlannedExit.n'] },
    ],
    derived: [
      ['inputs.daysToPlannedExit.mean', ['inputs.daysToPlannedExit.n']],
      ['inputs.daysToPlannedExit.median', ['inputs.daysToPlannedExit.n']],
      [`${hoursEarly}.mean`, [`${hoursEarly}.n`]],
      [`${hoursLate}.mean`, [`${hoursLate}.n`]],
      ...answer.inputs.supportTypes.map(
        (_s, i) =>
          [
            `inputs.supportTypes.${i}.pct`,
            [`inputs.supportTypes.${i}.families`, 'accounting.plannedExits'],
          ] as [string, string[]],
      ),
    ],
  };
  const f = answer.followUps as Record<string, number | null> | undefined;
  if (f) {
    const k = (name: string) => `followUps.${name}`;
    plan.counts.push(
      ...['scheduled', 'completed', 'completedOnTime', 'missed', 'overdue', 'cancelled'].map(k),
    );
    plan.hidden.followUpsLate = (f.completed ?? 0) - (f.completedOnTime ?? 0);
    plan.lines.push({ total: k('completed'), parts: [k('completedOnTime'), 'followUpsLate'] });
    plan.derived.push(
      [k('completionRate'), [k('completed'), k('missed'), k('overdue')]],
      [k('onTimeRate'), [k('completedOnTime'), k('completed')]],
    );
  }
  return apply(answer, plan, rule);
}

export interface SavingsAnswer {
  families: number;
  excludedForConsent?: number;
  perDomain: {
    domain: string;
    baselineToExit: { pairs: number; improved: number; worsened: number };
    baselineToFollowUp: { pairs: number; improved: number; worsened: number };
  }[];
  perOutcome: { outcome: string; agency: string }[];
  perAgency: { agency: string }[];
}

const PERIODS = ['baselineToExit', 'baselineToFollowUp'] as const;

/**
 * Cost avoidance: per costed domain and period, the families improved and worsened against the
 * pairs (the unchanged hidden). Money is net families × a published unit cost, so every figure
 * computed from a suppressed count is suppressed too: an outcome's line from its domains, an
 * agency's from its lines, and the total, per family and return on spend from them all (a total
 * beside a suppressed line would give the line away). `domainsOf` maps each costed outcome to the
 * domains that feed it (the unit-cost table's mappings).
 */
export function discloseSavings<T extends SavingsAnswer>(
  answer: T,
  rule: DisclosureRule,
  domainsOf: (outcome: string) => string[],
) {
  const plan: Plan = { counts: ['families'], hidden: {}, lines: [], derived: [] };
  if (answer.excludedForConsent !== undefined) plan.counts.push('excludedForConsent');
  const index = new Map(answer.perDomain.map((d, i) => [d.domain, i]));
  answer.perDomain.forEach((d, i) => {
    for (const p of PERIODS) {
      const at = (k: string) => `perDomain.${i}.${p}.${k}`;
      plan.counts.push(at('pairs'), at('improved'), at('worsened'));
      plan.hidden[at('unchanged')] = d[p].pairs - d[p].improved - d[p].worsened;
      plan.lines.push({
        total: at('pairs'),
        parts: [at('improved'), at('worsened'), at('unchanged')],
      });
    }
  });
  for (const p of PERIODS) {
    const sourcesOf = (outcome: string) =>
      domainsOf(outcome)
        .filter((d) => index.has(d))
        .flatMap((d) => [
          `perDomain.${index.get(d)}.${p}.improved`,
          `perDomain.${index.get(d)}.${p}.worsened`,
        ]);
    const all: string[] = [];
    answer.perOutcome.forEach((line, j) => {
      const from = sourcesOf(line.outcome);
      all.push(...from);
      plan.derived.push(
        [`perOutcome.${j}.${p}`, from],
        [`perOutcome.${j}.unitsAvoided.${p}`, from],
      );
    });
    answer.perAgency.forEach((a, k) => {
      const from = answer.perOutcome
        .filter((l) => l.agency === a.agency)
        .flatMap((l) => sourcesOf(l.outcome));
      plan.derived.push([`perAgency.${k}.${p}`, from]);
    });
    plan.derived.push(
      [`total.${p}`, all],
      [`perFamily.${p}`, [...all, 'families']],
      [`returnOnSpend.${p}`, all],
    );
  }
  return apply(answer, plan, rule);
}
