/**
 * Disclosure control over the outcomes answer (`?disclosure=on` on `/v1/outcomes`): every cohort's
 * table, each domain's row (`DomainRow`) and the attrition line under one control. Pure.
 */
import { DomainRow } from '@app/outcomes';
import { DisclosureRule } from './disclosure';
import { Plan, apply } from './query-disclosure';

export interface CohortAnswer {
  kind?: string;
  families: number;
  revisited?: number;
  excludedForConsent?: number;
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

/** The attrition line's counts (`Attrition` of @app/outcomes), as the answer holds them. */
export interface AttritionAnswer {
  excludedForConsent?: number;
  referred: number;
  started: number;
  plannedExits: number;
  notStarted: { total: number; exited: { total: number; byType: Record<string, number> } } & Record<
    string,
    unknown
  >;
  startedNoPlannedExit: {
    total: number;
    exited: { total: number; byType: Record<string, number> };
  } & Record<string, unknown>;
}

export interface OutcomesAnswer {
  cohorts: CohortAnswer[];
  attrition?: AttritionAnswer;
}

/** The attrition line: every count a cell, each total the sum of its parts (to referred). */
function planAttrition(plan: Plan, a: AttritionAnswer, cohorts: readonly { kind?: string }[]) {
  const at = (p: string) => `attrition.${p}`;
  if (a.excludedForConsent !== undefined) plan.counts.push(at('excludedForConsent'));
  const group = (name: 'notStarted' | 'startedNoPlannedExit') => {
    const g = a[name];
    const leaves = Object.keys(g).filter((k) => k !== 'total' && k !== 'exited');
    const types = Object.keys(g.exited.byType).map((t) => `${name}.exited.byType.${t}`);
    plan.counts.push(
      at(`${name}.total`),
      ...leaves.map((k) => at(`${name}.${k}`)),
      at(`${name}.exited.total`),
      ...types.map(at),
    );
    plan.lines.push(
      {
        total: at(`${name}.total`),
        parts: [...leaves.map((k) => at(`${name}.${k}`)), at(`${name}.exited.total`)],
      },
      { total: at(`${name}.exited.total`), parts: types.map(at) },
    );
    return [...leaves.map((k) => `${name}.${k}`), ...types];
  };
  plan.counts.push(at('referred'), at('started'), at('plannedExits'));
  const notStarted = group('notStarted');
  const stopped = group('startedNoPlannedExit');
  plan.lines.push(
    // Every referral in exactly one place: the places sum to referred.
    { total: at('referred'), parts: [...notStarted, ...stopped, 'plannedExits'].map(at) },
    { total: at('referred'), parts: [at('notStarted.total'), at('started')] },
    { total: at('started'), parts: [at('startedNoPlannedExit.total'), at('plannedExits')] },
  );
  // The same counts in the cohorts: suppressed in one place, suppressed in both.
  cohorts.forEach((c, j) => {
    const same =
      c.kind === 'all_started' ? 'started' : c.kind === 'planned_exits' && 'plannedExits';
    if (same) plan.lines.push({ total: at(same), parts: [`cohorts.${j}.families`] });
  });
}

/**
 * The outcomes answer: each cohort's table (per domain, each point's count against its n, the
 * complement hidden) and the attrition line, under one control so a count shown twice (a cohort's
 * families and its step of the line) is suppressed in both places.
 */
export function discloseOutcomes<T extends OutcomesAnswer>(answer: T, rule: DisclosureRule) {
  const plan: Plan = { counts: [], hidden: {}, lines: [], derived: [] };
  answer.cohorts.forEach((cohort, j) => planCohort(plan, `cohorts.${j}`, cohort));
  if (answer.attrition) planAttrition(plan, answer.attrition, answer.cohorts);
  return apply(answer, plan, rule);
}

/** One cohort's table, its paths under `prefix`. */
function planCohort(plan: Plan, prefix: string, cohort: CohortAnswer) {
  const c = (p: string) => `${prefix}.${p}`;
  plan.counts.push(c('families'));
  // How many the consent rule left out is a count of families like any other.
  if (cohort.excludedForConsent !== undefined) {
    plan.counts.push(c('excludedForConsent'));
  }
  if (cohort.revisited !== undefined) {
    plan.counts.push(c('revisited'));
    plan.hidden[c('notRevisited')] = cohort.families - cohort.revisited;
    plan.lines.push({
      total: c('families'),
      parts: [c('revisited'), c('notRevisited')],
    });
  }
  cohort.domains.forEach((d, i) => discloseDomain(plan, d, c(`domains.${i}`)));
}
