/**
 * The same disclosure rule for the evaluator queries (`?disclosure=on` on `/v1/outcomes` and
 * `/v1/cohorts/summary`): the answer keeps its shape, suppressed counts and every figure computed
 * from them become "[c]", and the answer states the rule. Pure.
 */
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
export interface Plan {
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

export function apply<T>(
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
  /** `net`: the line after deadweight and attribution. */
  perOutcome: { outcome: string; agency: string; net?: unknown }[];
  perAgency: { agency: string }[];
  /** Net of deadweight and attribution, when the unit-cost table gives them. */
  net?: { perAgency: { agency: string }[] } | null;
}

const PERIODS = ['baselineToExit', 'baselineToFollowUp'] as const;

/**
 * Cost avoidance: per costed domain and period, the families improved and worsened against the
 * pairs (the unchanged hidden). Every money figure is tied to them as the calculator computes it
 * (`moneyCoefficients`: the calculator's own per-outcome terms, in pence): each costed outcome's
 * line, gross and net, and its units avoided, is Σ (per net family) × (improved − worsened) over
 * its domains; an agency's money is the sum of its lines, the total the sum of the agencies, for
 * the gross figures and the net ones alike. Disclosure control then suppresses money (or counts)
 * until no suppressed count can be worked out; per family and return on spend go with the total
 * (gross or net) they are computed from.
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
  const coefficientsOf = (outcome: string) => {
    const c = byOutcome.get(outcome);
    if (!c) throw new Error(`savings disclosure: no money per family for ${outcome}`);
    return c.byDomain;
  };
  for (const p of PERIODS) {
    const change = (domain: string) => {
      const i = index.get(domain);
      if (i === undefined) throw new Error(`savings disclosure: no counts for domain ${domain}`);
      const d = answer.perDomain[i][p];
      return [i, BigInt(d.improved - d.worsened)] as const;
    };
    /** figure = Σ coefficient × (improved − worsened): value and relation. */
    const tie = (path: string, per: [domain: string, coefficient: bigint][]) => {
      const rel: Relation = { terms: [[path, -1n]] };
      let value = 0n;
      for (const [domain, a] of per.filter(([, a]) => a)) {
        const [i, net] = change(domain);
        value += a * net;
        rel.terms.push([`perDomain.${i}.${p}.improved`, a], [`perDomain.${i}.${p}.worsened`, -a]);
      }
      figures[path] = Number(value);
      plan.relations!.push(rel);
    };
    /** Agencies as sums of their lines, the total as the sum of the agencies. */
    const rollUp = (at: string, agencies: { agency: string }[], lines: Map<string, string[]>) => {
      const parts = agencies.map((a, k) => {
        const path = `${at}perAgency.${k}.${p}`;
        const own = lines.get(a.agency) ?? [];
        figures[path] = own.reduce((sum, x) => sum + figures[x], 0);
        plan.lines.push({ total: path, parts: own });
        return path;
      });
      const total = `${at}total.${p}`;
      figures[total] = parts.reduce((sum, x) => sum + figures[x], 0);
      plan.lines.push({ total, parts });
      plan.derived.push(
        [`${at}perFamily.${p}`, [total, 'families']],
        [`${at}returnOnSpend.${p}`, [total]],
      );
    };
    const gross = new Map<string, string[]>();
    const net = new Map<string, string[]>();
    answer.perOutcome.forEach((line, j) => {
      const per = coefficientsOf(line.outcome);
      const at = `perOutcome.${j}`;
      tie(
        `${at}.${p}`,
        per.map((d) => [d.domain, d.grossPence]),
      );
      tie(
        `${at}.unitsAvoided.${p}`,
        per.map((d) => [d.domain, d.unitsMilli]),
      );
      gross.set(line.agency, [...(gross.get(line.agency) ?? []), `${at}.${p}`]);
      if (line.net) {
        tie(
          `${at}.net.${p}`,
          per.map((d) => [d.domain, d.netPence]),
        );
        net.set(line.agency, [...(net.get(line.agency) ?? []), `${at}.net.${p}`]);
      }
    });
    rollUp('', answer.perAgency, gross);
    if (answer.net) rollUp('net.', answer.net.perAgency, net);
  }
  return apply(answer, plan, rule);
}
