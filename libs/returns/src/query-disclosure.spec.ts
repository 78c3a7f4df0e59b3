import { attritionOf, domainRow } from '@app/outcomes';
import { discloseOutcomes, discloseSummary } from './query-disclosure';

const domain = { id: 'dv', label: 'Domestic violence', lowerIsBetter: true } as Parameters<
  typeof domainRow
>[0];

describe('disclosure for evaluator queries', () => {
  it('suppresses a small count, its percentage, interval, reduction and p, keeping the shape', () => {
    const row = domainRow(domain, {
      n: 40,
      baseline: 3,
      end: 0,
      presentToAbsent: 3,
      absentToPresent: 0,
      followUpN: 0,
      followUp: 0,
      improvedFollowedUp: 0,
      kept: 0,
    });
    const answer = { cohorts: [{ kind: 'planned_exits', families: 40, domains: [row] }] };
    const out = discloseOutcomes(answer, { threshold: 5 });
    expect(out.cohorts[0].domains[0]).toMatchObject({
      n: 40,
      baseline: { count: '[c]', pct: '[c]', ci95: '[c]' },
      exit: { count: 0, pct: 0 },
      relativeReduction: '[c]',
      mcnemarP: '[c]',
    });
    expect(out.disclosure.rule).toMatch(/1 to 4/);
    // The input is left as it was.
    expect(answer.cohorts[0].domains[0].baseline.count).toBe(3);
  });

  it("controls the attrition line and each cohort's table together: a count shown twice hides twice", () => {
    const row = (n: number) =>
      domainRow(domain, {
        n,
        baseline: n,
        end: 0,
        presentToAbsent: n,
        absentToPresent: 0,
        followUpN: 0,
        followUp: 0,
        improvedFollowedUp: 0,
        kept: 0,
      });
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
