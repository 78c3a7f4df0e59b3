/**
 * The same disclosure rule for the evaluator queries (`?disclosure=on` on `/v1/outcomes` and
 * `/v1/cohorts/summary`): the answer keeps its shape, suppressed counts and every figure computed
 * from them become "[c]", and the answer states the rule. Pure.
 */
import { DomainRow } from '@app/outcomes';
import { DisclosureStatement } from './content';
import { CountTable, DisclosureRule, Line, SUPPRESSED, protect, ruleText } from './disclosure';

type Json = Record<string, unknown>;

/** Where counts are in an answer, the sums between them, and what is computed from them. */
interface Plan {
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

function apply<T>(
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

export interface OutcomesAnswer {
  cohort: { families: number; revisited?: number; excludedForConsent?: number };
  domains: DomainRow[];
}

/**
 * One domain's row (`DomainRow`): every count, the sums that tie them (each point's count and its
 * complement make n; the paired table's four cells make n and each margin; the one-year-on panel
 * is part of n, each of its counts part of the cohort's), and every figure computed from them.
 */
function discloseDomain(plan: Plan, d: DomainRow, prefix: string): void {
  const at = (p: string) => `${prefix}.${p}`;
  /** `total` = the published `parts` + one hidden count of `value` named `name`. */
  const tie = (total: string, parts: string[], name: string, value: number) => {
    plan.hidden[at(name)] = value;
    plan.lines.push({ total: at(total), parts: [...parts.map(at), at(name)] });
  };
  const c = d.change;
  // The paired table's cells first: protection looks at the first recoverable cell's lines, so a
  // small baselineOnly is then covered by `neither` rather than by n (and every figure over n).
  plan.counts.push(
    at('change.both'),
    at('change.baselineOnly'),
    at('change.exitOnly'),
    at('change.neither'),
    at('n'),
    at('baseline.count'),
    at('exit.count'),
  );
  tie('n', ['baseline.count'], 'baselineAbsent', d.n - d.baseline.count);
  tie('n', ['exit.count'], 'exitAbsent', d.n - d.exit.count);
  // The paired table: both + baselineOnly + exitOnly + neither = n, and its margins.
  plan.lines.push(
    {
      total: at('n'),
      parts: ['both', 'baselineOnly', 'exitOnly', 'neither'].map((k) => at(`change.${k}`)),
    },
    { total: at('baseline.count'), parts: [at('change.both'), at('change.baselineOnly')] },
    { total: at('exit.count'), parts: [at('change.both'), at('change.exitOnly')] },
  );
  for (const point of ['baseline', 'exit']) {
    plan.derived.push([at(`${point}.pct`), [at(`${point}.count`), at('n')]]);
    plan.derived.push([at(`${point}.ci95`), [at(`${point}.count`), at('n')]]);
  }
  const cells = ['n', 'change.both', 'change.baselineOnly', 'change.exitOnly', 'change.neither'];
  for (const k of ['changePoints', 'ci95Points', 'direction', 'text', 'mcnemarP', 'mcnemarPText']) {
    plan.derived.push([at(`change.${k}`), cells.map(at)]);
  }
  plan.derived.push(
    [at('relativeReductionPct'), [at('baseline.count'), at('exit.count')]],
    [at('smallSample'), [at('n')]],
  );
  const panel = d.oneYearOn;
  if (!panel) return;
  const points = ['baseline', 'exit', 'oneYearOn'] as const;
  // The panel's paired cells first, as the cohort's (see above).
  const pc = (k: string) => `oneYearOn.change.${k}`;
  const panelCells = ['both', 'baselineOnly', 'oneYearOnOnly', 'neither'].map(pc);
  plan.counts.push(...panelCells.map(at));
  plan.counts.push(
    at('oneYearOn.n'),
    ...points.map((p) => at(`oneYearOn.${p}.count`)),
    at('oneYearOn.sustained.improvedAtExit'),
    at('oneYearOn.sustained.kept'),
  );
  for (const p of points) {
    tie('oneYearOn.n', [`oneYearOn.${p}.count`], `panel_${p}Absent`, panel.n - panel[p].count);
    plan.derived.push(
      [at(`oneYearOn.${p}.pct`), [at(`oneYearOn.${p}.count`), at('oneYearOn.n')]],
      [at(`oneYearOn.${p}.ci95`), [at(`oneYearOn.${p}.count`), at('oneYearOn.n')]],
    );
  }
  // The panel's paired table, baseline against one year on: its cells make the panel's n, its
  // margins the panel's baseline and one-year-on counts.
  plan.lines.push(
    { total: at('oneYearOn.n'), parts: panelCells.map(at) },
    { total: at('oneYearOn.baseline.count'), parts: [at(pc('both')), at(pc('baselineOnly'))] },
    { total: at('oneYearOn.oneYearOn.count'), parts: [at(pc('both')), at(pc('oneYearOnOnly'))] },
  );
  for (const k of ['changePoints', 'ci95Points', 'direction', 'text', 'mcnemarP', 'mcnemarPText']) {
    plan.derived.push([at(pc(k)), [at('oneYearOn.n'), ...panelCells.map(at)]]);
  }
  // The panel is part of n; its baseline and exit counts part of the cohort's.
  tie('n', ['oneYearOn.n'], 'notFollowedUp', d.n - panel.n);
  tie(
    'baseline.count',
    ['oneYearOn.baseline.count'],
    'baselineNotFollowedUp',
    d.baseline.count - panel.baseline.count,
  );
  tie('exit.count', ['oneYearOn.exit.count'], 'exitNotFollowedUp', d.exit.count - panel.exit.count);
  // Those improved at exit in the panel are part of the improved pairs.
  const improved = d.lowerIsBetter ? 'change.baselineOnly' : 'change.exitOnly';
  const improvedCount = d.lowerIsBetter ? c.baselineOnly : c.exitOnly;
  tie(
    improved,
    ['oneYearOn.sustained.improvedAtExit'],
    'improvedNotFollowedUp',
    improvedCount - panel.sustained.improvedAtExit,
  );
  tie(
    'oneYearOn.sustained.improvedAtExit',
    ['oneYearOn.sustained.kept'],
    'sustainedLost',
    panel.sustained.improvedAtExit - panel.sustained.kept,
  );
  plan.derived.push(
    [
      at('oneYearOn.sustained.pct'),
      [at('oneYearOn.sustained.kept'), at('oneYearOn.sustained.improvedAtExit')],
    ],
    [at('oneYearOn.smallSample'), [at('oneYearOn.n')]],
  );
}

/** The outcomes table: per domain, `discloseDomain`; the cohort's own counts. */
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
  answer.domains.forEach((d, i) => discloseDomain(plan, d, `domains.${i}`));
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
