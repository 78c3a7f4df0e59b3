import { attritionOf, domainRow } from '@app/outcomes';
import { pairedCounts } from '@app/outcomes/testing';
import { discloseOutcomes } from './outcomes-disclosure';
import { discloseSummary } from './query-disclosure';

const domain = { id: 'dv', label: 'Domestic violence', lowerIsBetter: true } as Parameters<
  typeof domainRow
>[0];

describe('disclosure for evaluator queries', () => {
  const counts = pairedCounts;

  /** How many members of a line (its total and parts, by path) are published "[c]". */
  const hiddenIn = (obj: unknown, paths: string[]) =>
    paths.filter(
      (p) =>
        p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj) === '[c]',
    ).length;

  it('suppresses a small count and every figure from it: percentage, interval, change, p, reduction', () => {
    const row = domainRow(domain, counts({ both: 0, baselineOnly: 3, exitOnly: 0, neither: 37 }));
    const answer = { cohorts: [{ kind: 'planned_exits', families: 40, domains: [row] }] };
    const out = discloseOutcomes(answer, { threshold: 5 });
    expect(out.cohorts[0].domains[0]).toMatchObject({
      n: 40,
      baseline: { count: '[c]', pct: '[c]', ci95: '[c]' },
      exit: { count: 0, pct: 0 },
      change: {
        baselineOnly: '[c]',
        changePoints: '[c]',
        ci95Points: '[c]',
        direction: '[c]',
        text: '[c]',
        mcnemarP: '[c]',
        mcnemarPText: '[c]',
      },
      relativeReductionPct: '[c]',
    });
    // n = both + baselineOnly + exitOnly + neither would give the 3 away: neither goes too.
    expect(out.cohorts[0].domains[0].change.neither).toBe('[c]');
    expect(out.disclosure.rule).toMatch(/1 to 4/);
    // The input is left as it was.
    expect(answer.cohorts[0].domains[0].baseline.count).toBe(3);
  });

  it("controls the attrition line and each cohort's table together: a count shown twice hides twice", () => {
    const row = (n: number) =>
      domainRow(domain, counts({ both: 0, baselineOnly: n, exitOnly: 0, neither: 0 }));
    // 30 referred: 10 not started (awaiting an offer), 20 started, of whom 3 had a planned exit
    // and 17 are ongoing.
    const attrition = {
      ...attritionOf([], {}),
      referred: 30,
      started: 20,
      plannedExits: 3,
    };
    attrition.notStarted = { ...attrition.notStarted, total: 10, awaitingOffer: 10 };
    attrition.startedNoPlannedExit = { ...attrition.startedNoPlannedExit, total: 17, ongoing: 17 };
    const answer = {
      attrition,
      cohorts: [
        { kind: 'planned_exits', families: 3, domains: [row(3)] },
        { kind: 'all_started', families: 20, domains: [row(20)] },
      ],
    };
    const out = discloseOutcomes(answer, { threshold: 5 });
    expect(out.attrition.plannedExits).toBe('[c]');
    expect(out.cohorts[0].families).toBe('[c]');
    // 20 started − 17 ongoing would give the 3 away: the ongoing go too (and the line to
    // referred is protected in turn).
    expect(out.attrition.startedNoPlannedExit.ongoing).toBe('[c]');
    expect(out.attrition.startedNoPlannedExit.total).toBe('[c]');
    expect(out.cohorts[1].families).toBe(out.attrition.started);
  });

  it('ties the paired table and the panel with lines: no small cell recoverable by subtraction', () => {
    const row = domainRow(
      domain,
      counts(
        { both: 20, baselineOnly: 60, exitOnly: 2, neither: 118 },
        {
          followUpN: 50,
          followUpBaseline: 21,
          followUpEnd: 6,
          followUp: 3,
          followUpBoth: 2,
          improvedFollowedUp: 16,
          kept: 13,
        },
      ),
    );
    const out = discloseOutcomes(
      { cohorts: [{ kind: 'planned_exits', families: 200, domains: [row] }] },
      { threshold: 5 },
    );
    const d = out.cohorts[0].domains[0];
    expect(d.change.exitOnly).toBe('[c]');
    expect(d.oneYearOn!.oneYearOn.count).toBe('[c]');
    expect(d.oneYearOn!.oneYearOn.pct).toBe('[c]');
    // The panel's own paired table: 2 at both and 1 one year on only are small, and so is every
    // figure from them.
    expect(d.oneYearOn!.change).toMatchObject({
      both: '[c]',
      oneYearOnOnly: '[c]',
      changePoints: '[c]',
      text: '[c]',
      mcnemarP: '[c]',
    });
    // Each line published whole (no hidden part) with a suppressed member has a second one, or
    // the first would follow by subtraction.
    const lines = [
      ['n', 'change.both', 'change.baselineOnly', 'change.exitOnly', 'change.neither'],
      ['exit.count', 'change.both', 'change.exitOnly'],
      ['baseline.count', 'change.both', 'change.baselineOnly'],
      [
        'oneYearOn.n',
        'oneYearOn.change.both',
        'oneYearOn.change.baselineOnly',
        'oneYearOn.change.oneYearOnOnly',
        'oneYearOn.change.neither',
      ],
      ['oneYearOn.baseline.count', 'oneYearOn.change.both', 'oneYearOn.change.baselineOnly'],
      ['oneYearOn.oneYearOn.count', 'oneYearOn.change.both', 'oneYearOn.change.oneYearOnOnly'],
    ];
    for (const line of lines) {
      const hidden = hiddenIn(d, line);
      expect({ line, ok: hidden !== 1 }).toEqual({ line, ok: true });
    }
    // The direction and the sustained share are published where their counts are.
    expect(d.oneYearOn!.sustained).toEqual({ improvedAtExit: 16, kept: 13, pct: 81.3 });
  });

  it('protects the summary accounting: no part recoverable from the total', () => {
    const summary = {
      referred: 30,
      offered: 27,
      accepted: 20,
      movedArea: 0,
      accounting: {
        awaitingOffer: 3,
        awaitingDecision: 0,
        refused: { total: 7, byStage: { offer: 7, support_plan: 0, intervention: 0 } },
        ongoing: 20,
        plannedExits: 0,
        otherExits: { total: 0, byReason: { disengaged: 0, moved_area: 0, custody: 0, other: 0 } },
      },
      inputs: {
        daysToPlannedExit: { n: 0, mean: null, median: null },
        weeklyContactHours: {
          supportPlanToFirstReview: { n: 0, mean: null },
          lastReviewToExit: { n: 0, mean: null },
        },
        supportTypes: [],
      },
    };
    const out = discloseSummary(summary, { threshold: 5 });
    expect(out.accounting.awaitingOffer).toBe('[c]');
    // 30 - 7 - 20 would give the 3 away. Hiding the 7 would not do (its stages add up to it),
    // so the ongoing 20 goes.
    expect(out.accounting.refused.total).toBe(7);
    expect(out.accounting.ongoing).toBe('[c]');
    expect(out.referred).toBe(30);
  });
});
