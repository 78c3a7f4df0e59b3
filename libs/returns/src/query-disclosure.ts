/**
 * The same disclosure rule for the evaluator queries (`?disclosure=on` on `/v1/outcomes` and
 * `/v1/cohorts/summary`): the answer keeps its shape, suppressed counts and every figure computed
 * from them become "[c]", and the answer states the rule. Pure.
 */
import { DomainRow } from '@app/outcomes';
import { OutcomeCoefficients } from '@app/savings';
import { DisclosureStatement } from './content';
import {
  CountTable,
  DisclosureRule,
  Line,
  Relation,
  SUPPRESSED,
  protect,
  ruleText,
} from './disclosure';

type Json = Record<string, unknown>;

/** Where counts are in an answer, the sums between them, and what is computed from them. */
interface Plan {
  counts: string[];
  hidden: Record<string, number>;
  lines: Line[];
  derived: [path: string, from: string[]][];
  /** Figures (money) tied to counts by weighted relations: path → exact value in the sub-unit. */
  figures?: Record<string, number>;
  relations?: Relation[];
}

const get = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Json)[k]), obj);

function set(obj: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((o, k) => (o == null ? undefined : (o as Json)[k]), obj);
  if (parent != null && last in (parent as Json)) (parent as Json)[last] = value;
}

function apply<T>(
  answer: T,
  plan: Plan,
  rule: DisclosureRule,
): T & { disclosure: DisclosureStatement } {
  const out = structuredClone(answer) as T & { disclosure: DisclosureStatement };
  const table: CountTable = {
    cells: {},
    lines: plan.lines,
    hidden: Object.keys(plan.hidden),
    relations: plan.relations ?? [],
    figures: Object.keys(plan.figures ?? {}),
  };
  for (const p of plan.counts) {
    const v = get(answer, p);
    if (typeof v === 'number') table.cells[p] = v;
  }
  Object.assign(table.cells, plan.hidden, plan.figures);
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

export interface OutcomesAnswer {
  cohort: { families: number; revisited?: number; excludedForConsent?: number };
  domains: DomainRow[];
}

/** The outcomes table: per domain, each point's count against its n (the complement hidden). */
export function discloseOutcomes<T extends OutcomesAnswer>(answer: T, rule: DisclosureRule) {
  const plan: Plan = { counts: ['cohort.families'], hidden: {}, lines: [], derived: [] };
  // How many the consent rule left out is a count of families like any other.
  if (answer.cohort.excludedForConsent !== undefined) {
    plan.counts.push('cohort.excludedForConsent');
  }
  if (answer.cohort.revisited !== undefined) {
    plan.counts.push('cohort.revisited');
    plan.hidden.cohortNotRevisited = answer.cohort.families - answer.cohort.revisited;
    plan.lines.push({
      total: 'cohort.families',
      parts: ['cohort.revisited', 'cohortNotRevisited'],
    });
  }
  answer.domains.forEach((d, i) => {
    const at = (p: string) => `domains.${i}.${p}`;
    const pair = (count: string, n: string, nValue: number, countValue: number, name: string) => {
      plan.hidden[at(name)] = nValue - countValue;
      plan.lines.push({ total: at(n), parts: [at(count), at(name)] });
    };
    plan.counts.push(at('n'), at('baseline.count'), at('exit.count'));
    pair('baseline.count', 'n', d.n, d.baseline.count, 'baselineAbsent');
    pair('exit.count', 'n', d.n, d.exit.count, 'exitAbsent');
    for (const point of ['baseline', 'exit']) {
      plan.derived.push([at(`${point}.pct`), [at(`${point}.count`), at('n')]]);
      plan.derived.push([at(`${point}.ci95`), [at(`${point}.count`), at('n')]]);
    }
    const both = [at('n'), at('baseline.count'), at('exit.count')];
    plan.derived.push([at('relativeReduction'), both], [at('mcnemarP'), both]);
    if (d.followUp) {
      plan.counts.push(at('followUp.n'), at('followUp.count'));
      pair('followUp.count', 'followUp.n', d.followUp.n, d.followUp.count, 'followUpAbsent');
      plan.derived.push(
        [at('followUp.pct'), [at('followUp.count'), at('followUp.n')]],
        [at('followUp.ci95'), [at('followUp.count'), at('followUp.n')]],
      );
    }
    if (d.sustained) {
      plan.counts.push(
        at('sustained.improvedAtExit'),
        at('sustained.followedUp'),
        at('sustained.kept'),
      );
      plan.hidden[at('sustainedLost')] = d.sustained.followedUp - d.sustained.kept;
      plan.lines.push({
        total: at('sustained.followedUp'),
        parts: [at('sustained.kept'), at('sustainedLost')],
      });
      plan.derived.push([at('sustained.pct'), [at('sustained.kept'), at('sustained.followedUp')]]);
    }
  });
  return apply(answer, plan, rule);
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
 * pairs (the unchanged hidden). Money is tied to them as the calculator computes it: each costed
 * outcome's line is Σ (money one net family adds) × (improved − worsened) over its domains
 * (`moneyCoefficients`, in thousandths of a penny; its units avoided go with it), an agency's money
 * the sum of its lines and the total the sum of the agencies. Disclosure control then suppresses
 * money (or counts) until no suppressed count can be worked out; per family and return on spend
 * go with the total they are computed from.
 */
export function discloseSavings<T extends SavingsAnswer>(
  answer: T,
  rule: DisclosureRule,
  coefficients: OutcomeCoefficients[],
) {
  const plan: Plan = {
    counts: ['families'],
    hidden: {},
    lines: [],
    derived: [],
    figures: {},
    relations: [],
  };
  const figures = plan.figures!;
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
  const byOutcome = new Map(coefficients.map((c) => [c.outcome, c]));
  for (const p of PERIODS) {
    const net = (domain: string) => {
      const d = answer.perDomain[index.get(domain)!][p];
      return BigInt(d.improved - d.worsened);
    };
    /** figure = Σ coefficient × (improved − worsened): value and relation. */
    const tie = (path: string, per: [domain: string, coefficient: bigint][]) => {
      const rel: Relation = { terms: [[path, -1n]] };
      let value = 0n;
      for (const [domain, a] of per.filter(([d, a]) => index.has(d) && a)) {
        const i = index.get(domain)!;
        value += a * net(domain);
        rel.terms.push([`perDomain.${i}.${p}.improved`, a], [`perDomain.${i}.${p}.worsened`, -a]);
      }
      figures[path] = Number(value);
      plan.relations!.push(rel);
    };
    const lines = new Map<string, string[]>();
    answer.perOutcome.forEach((line, j) => {
      const c = byOutcome.get(line.outcome);
      const per = c?.byDomain ?? [];
      tie(
        `perOutcome.${j}.${p}`,
        per.map((d) => [d.domain, d.milliPence]),
      );
      // Units avoided are the money over the published unit cost: they go with it.
      plan.derived.push([`perOutcome.${j}.unitsAvoided.${p}`, [`perOutcome.${j}.${p}`]]);
      lines.set(line.agency, [...(lines.get(line.agency) ?? []), `perOutcome.${j}.${p}`]);
    });
    const agencies = answer.perAgency.map((a, k) => {
      const path = `perAgency.${k}.${p}`;
      const parts = lines.get(a.agency) ?? [];
      figures[path] = parts.reduce((sum, x) => sum + figures[x], 0);
      plan.lines.push({ total: path, parts });
      return path;
    });
    figures[`total.${p}`] = agencies.reduce((sum, x) => sum + figures[x], 0);
    plan.lines.push({ total: `total.${p}`, parts: agencies });
    plan.derived.push(
      [`perFamily.${p}`, [`total.${p}`, 'families']],
      [`returnOnSpend.${p}`, [`total.${p}`]],
    );
  }
  return apply(answer, plan, rule);
}
