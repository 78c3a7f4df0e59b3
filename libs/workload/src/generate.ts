/**
 * A seeded, reproducible synthetic workload: families with realistic lifecycles in NatCen-like
 * proportions (DOMAIN.md section 3), about 40 events each, as the decider would have stored them.
 * The same options always give the same families, event ids included. Ids and codes only: no
 * personal data.
 */
import { DEFAULT_FOLLOW_UP_POLICY, scheduleFor } from '@app/follow-ups/policy';
import { DomainAssessment, ExitType, FamilyEvent, RefusalStage } from '@app/domain';
import { ASB_TYPES, DAY, FATES, FLAGS, SUPPORT_TYPES } from './proportions';
import { Random, seeded } from './random';

export interface WorkloadOptions {
  seed: number | string;
  families: number;
  /** Authority codes, families spread evenly; default five. */
  authorities?: string[];
  programmes?: string[];
  /** Referrals fall in [from, to); nothing happens after `to` (default: now). */
  from?: string;
  to?: string;
}

export interface GeneratedFamily {
  familyId: string;
  authority: string;
  /** Stream order, each with the id to store it under. */
  events: { id: string; event: FamilyEvent }[];
}

export function generateFamilies(options: WorkloadOptions): GeneratedFamily[] {
  const random = seeded(options.seed);
  const out: GeneratedFamily[] = [];
  for (let i = 0; i < options.families; i++) out.push(generateFamily(random, i, options));
  return out;
}

/** One family at a time, for loads too big to hold at once (same output as `generateFamilies`). */
export function* familyStream(options: WorkloadOptions): Generator<GeneratedFamily> {
  const random = seeded(options.seed);
  for (let i = 0; i < options.families; i++) yield generateFamily(random, i, options);
}

function generateFamily(r: Random, i: number, o: WorkloadOptions): GeneratedFamily {
  const authorities = o.authorities ?? ['la_1', 'la_2', 'la_3', 'la_4', 'la_5'];
  const programmes = o.programmes ?? ['fip'];
  const to = Date.parse(o.to ?? new Date().toISOString());
  const from = Date.parse(o.from ?? new Date(to - 4 * 365 * DAY).toISOString());
  const authority = authorities[i % authorities.length];
  const familyId = r.uuid();
  const referred = from + Math.floor(r.next() * (to - from - DAY));
  const fate = r.weighted(FATES);

  const events: FamilyEvent[] = [];
  const iso = (t: number) => new Date(t).toISOString();
  /** Adds an event dated `t` unless that is after the end of the workload. */
  const at = (t: number, event: (occurredAt: string) => FamilyEvent): boolean => {
    if (t > to) return false;
    events.push(event(iso(t)));
    return true;
  };

  // The family's problems at referral, and whether each is resolved by the exit.
  const baseline: DomainAssessment = {};
  const resolved: Partial<Record<keyof DomainAssessment, boolean>> = {};
  for (const [flag, start, exit] of FLAGS) {
    const present = r.chance(start / 100);
    (baseline as Record<string, boolean>)[flag] = present;
    resolved[flag] = present && !r.chance(exit / start);
  }
  const asbAtStart = r.chance(0.1) ? 0 : r.chance(0.51) ? 4 + r.int(3) : 1 + r.int(3);
  const asbAtExit = r.chance(0.66) ? 0 : r.chance(0.18) ? 4 : 1 + r.int(2);
  const housingAtStart = r.chance(0.47) ? 1 + r.int(2) : 0;
  const housingAtExit = housingAtStart && r.chance(0.32) ? 1 : 0;
  const children = 1 + r.int(3);

  /** The assessment a fraction `progress` (0 = referral, 1 = exit) of the way through. */
  const assessment = (progress: number): DomainAssessment => {
    const a: DomainAssessment = { evidenceSources: ['police', 'school'] };
    for (const [flag] of FLAGS) {
      // Now and then a domain is not assessed at all (absent, not false).
      if (r.chance(0.03)) continue;
      const was = baseline[flag] as boolean;
      (a as Record<string, boolean>)[flag] = was && !(resolved[flag] && r.chance(progress));
    }
    const asb = Math.round(asbAtStart + (asbAtExit - asbAtStart) * progress);
    a.asbTypes = ASB_TYPES.slice(0, Math.min(asb, ASB_TYPES.length));
    a.housingEnforcementActions = progress >= 1 ? housingAtExit : housingAtStart;
    return a;
  };
  const attendanceRate = (progress: number) => {
    const truant = baseline.truancyExclusionBehaviour;
    const start = truant ? 0.8 : 0.93;
    const end = truant && !resolved.truancyExclusionBehaviour ? 0.84 : 0.95;
    return start + (end - start) * progress;
  };
  const attendance = (t: number, progress: number) => {
    for (let c = 1; c <= Math.min(children, 2); c++) {
      const possible = 110 + r.int(20);
      const attended = Math.min(
        possible,
        Math.round(possible * (attendanceRate(progress) + (r.next() - 0.5) * 0.06)),
      );
      const missed = possible - attended;
      at(t, (occurredAt) => ({
        type: 'SchoolAttendanceRecorded',
        data: {
          occurredAt,
          childId: `c${c}`,
          periodStart: iso(t - 90 * DAY),
          periodEnd: occurredAt,
          possibleSessions: possible,
          attendedSessions: attended,
          unauthorisedSessions: Math.round(missed * r.next()),
        },
      }));
    }
  };

  at(referred, (occurredAt) => ({
    type: 'FamilyReferred',
    data: {
      occurredAt,
      authority,
      programme: programmes[i % programmes.length],
      source: r.pick(['police', 'housing', 'asb_team', 'school', 'social_care']),
      reasons: ['asb', ...(baseline.truancyExclusionBehaviour ? ['truancy'] : [])],
      members: [
        { memberId: 'p1', role: 'parent' },
        ...Array.from({ length: children }, (_, c) => ({
          memberId: `c${c + 1}`,
          role: 'child' as const,
        })),
      ],
    },
  }));
  // Back-entered history from the year before the referral: the baseline windows.
  for (let k = 0; k < Math.max(asbAtStart, 1); k++) {
    const t = referred - (20 + r.int(300)) * DAY;
    at(t, (occurredAt) => ({
      type: 'AsbIncidentRecorded',
      data: { occurredAt, asbType: ASB_TYPES[k % ASB_TYPES.length], sourceAgency: 'police' },
    }));
  }
  if (housingAtStart) {
    at(referred - (30 + r.int(200)) * DAY, (occurredAt) => ({
      type: 'HousingEnforcementAction',
      data: { occurredAt, action: r.pick(['nosp', 'eviction_notice', 'injunction'] as const) },
    }));
  }
  attendance(referred - 200 * DAY, 0);
  attendance(referred - 20 * DAY, 0);
  at(referred + DAY, (occurredAt) => ({
    type: 'DomainAssessmentRecorded',
    data: { occurredAt, stage: 'referral', ...assessment(0) },
  }));

  const end = (): GeneratedFamily => ({
    familyId,
    authority,
    events: events.map((event) => ({ id: r.uuid(), event })),
  });
  if (fate === 'awaiting_offer') return end();
  if (fate === 'other' && r.chance(0.5)) {
    at(referred + 5 * DAY, (occurredAt) => ({
      type: 'FamilyExited',
      data: { occurredAt, exitType: 'other' },
    }));
    return end();
  }
  if (
    !at(referred + 7 * DAY, (occurredAt) => ({ type: 'InterventionOffered', data: { occurredAt } }))
  )
    return end();
  if (fate === 'awaiting_decision') return end();
  const refuse = (t: number, stage: RefusalStage) =>
    at(t, (occurredAt) => ({ type: 'InterventionRefused', data: { occurredAt, stage } }));
  if (fate === 'refused_offer') {
    refuse(referred + 12 * DAY, 'offer');
    return end();
  }
  const accepted = referred + 14 * DAY;
  if (!at(accepted, (occurredAt) => ({ type: 'InterventionAccepted', data: { occurredAt } })))
    return end();
  at(accepted + DAY, (occurredAt) => ({
    type: 'KeyWorkerAssigned',
    data: { occurredAt, workerId: `kw_${authority}_${r.int(40)}` },
  }));
  if (fate === 'refused_support_plan') {
    refuse(accepted + 10 * DAY, 'support_plan');
    return end();
  }
  const planAt = accepted + 14 * DAY;
  if (
    !at(planAt, (occurredAt) => ({
      type: 'SupportPlanAgreed',
      data: { occurredAt, domains: ['asb', 'education'], plannedWeeklyHours: 8 + r.int(3) },
    }))
  )
    return end();
  at(planAt, (occurredAt) => ({
    type: 'DomainAssessmentRecorded',
    data: { occurredAt, stage: 'support_plan', ...assessment(0) },
  }));

  // Now and then the key worker changes hands (a school transition, a caseload move).
  if (r.chance(0.15)) {
    at(planAt + 30 * DAY, (occurredAt) => ({
      type: 'LeadWorkerChanged',
      data: { occurredAt, workerId: `kw_${authority}_${r.int(40)}` },
    }));
  }

  // The intervention: about a year (NatCen: mean 375 days to a planned exit).
  const length = (300 + r.int(150)) * DAY;
  const stop =
    fate === 'refused_intervention'
      ? planAt + (30 + r.int(100)) * DAY
      : fate === 'planned' || fate === 'ongoing'
        ? planAt + length
        : planAt + (60 + r.int(200)) * DAY;
  const supportTypes = SUPPORT_TYPES.filter(([, p]) => r.chance(p)).map(([t]) => t);
  let t = planAt;
  let lastReview = planAt;
  let reviews = 0;
  while (t + 60 * DAY < stop) {
    t += (50 + r.int(20)) * DAY;
    const progress = Math.min(1, (t - planAt) / length);
    const hours = reviews === 0 ? 9 + r.int(3) : Math.max(3, 9 - reviews);
    if (
      !at(t, (occurredAt) => ({
        type: 'ReviewHeld',
        data: { occurredAt, weeklyContactHours: hours },
      }))
    )
      return end();
    at(t, (occurredAt) => ({
      type: 'DomainAssessmentRecorded',
      data: { occurredAt, stage: 'review', ...assessment(progress * 0.8) },
    }));
    for (let k = 0; k < Math.min(3, supportTypes.length); k++) {
      at(t - 10 * DAY, (occurredAt) => ({
        type: 'SupportDelivered',
        data: { occurredAt, supportType: r.pick(supportTypes), hours: 2 + r.int(6) },
      }));
    }
    if (reviews % 2 === 1) attendance(t, progress);
    if (r.chance(0.3 * (1 - progress))) {
      at(t - 5 * DAY, (occurredAt) => ({
        type: 'AsbIncidentRecorded',
        data: { occurredAt, asbType: r.pick(ASB_TYPES), sourceAgency: 'housing' },
      }));
    }
    lastReview = t;
    reviews++;
  }
  if (fate === 'ongoing') return end();
  if (fate === 'refused_intervention') {
    refuse(Math.max(stop, lastReview), 'intervention');
    return end();
  }
  const exitAt = Math.max(stop, lastReview + 21 * DAY);
  if (exitAt > to) return end();
  const exitType: ExitType =
    fate === 'planned'
      ? 'planned'
      : fate === 'disengaged' || fate === 'moved_area' || fate === 'custody'
        ? fate
        : 'other';
  // Key-worker time between the last review and the exit (about 6 hours a week).
  at(lastReview + 7 * DAY, (occurredAt) => ({
    type: 'SupportDelivered',
    data: {
      occurredAt,
      supportType: 'key_worker',
      hours: Math.round(((exitAt - lastReview) / (7 * DAY)) * (5 + r.next() * 2)),
    },
  }));
  attendance(exitAt - 7 * DAY, 1);
  if (fate === 'moved_area') {
    at(exitAt, (occurredAt) => ({
      type: 'FamilyMovedArea',
      data: {
        occurredAt,
        toAuthority: r.pick([...authorities.filter((a) => a !== authority), 'other_la']),
      },
    }));
  }
  if (fate === 'planned' || r.chance(0.3)) {
    at(exitAt, (occurredAt) => ({
      type: 'DomainAssessmentRecorded',
      data: { occurredAt, stage: 'exit', ...assessment(fate === 'planned' ? 1 : 0.5) },
    }));
  }
  at(exitAt, (occurredAt) => ({ type: 'FamilyExited', data: { occurredAt, exitType } }));

  // One year on: every planned exit gets its revisit scheduled (as the sweep would); half are done
  // (the one-year-on assessment recorded through the revisit, the only way: see revisit.ts), a
  // few are missed, the rest are left to the sweep and the working list.
  if (fate === 'planned' && r.chance(0.5)) {
    const due = exitAt + 365 * DAY;
    const followUp = (): DomainAssessment => {
      const a = assessment(1);
      // Most gains last; some families slip back.
      if (r.chance(0.2)) a.asbTypes = ASB_TYPES.slice(0, 1 + r.int(4));
      return a;
    };
    const schedule = scheduleFor(DEFAULT_FOLLOW_UP_POLICY, iso(exitAt));
    const missed = r.chance(0.2);
    const scheduled = at(exitAt, (occurredAt) => ({
      type: 'FollowUpScheduled',
      data: { occurredAt, episode: 1, ...schedule },
    }));
    if (scheduled && missed) {
      at(due, (occurredAt) => ({
        type: 'FollowUpMissed',
        data: { occurredAt, episode: 1, reason: r.pick(['uncontactable', 'declined'] as const) },
      }));
    } else if (scheduled) {
      at(due, (occurredAt) => ({
        type: 'FollowUpCompleted',
        data: { occurredAt, episode: 1, assessment: followUp() },
      }));
    }
  }
  return end();
}
