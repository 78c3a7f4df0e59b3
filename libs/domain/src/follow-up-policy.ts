import { EXIT_TYPES, ExitType, IsoDateTime } from './events';

/**
 * Which exits get a twelve-month revisit, when, and what counts as on time: data, versioned, so
 * that a council can change it without code and every schedule records the version it used.
 * Durations are ISO 8601 (`P12M`, `P4W`, `P10D`, `P1Y`).
 */
export interface FollowUpPolicy {
  version: number;
  /** Exit types that get a revisit, or every exit. */
  exitTypes: readonly ExitType[] | 'all';
  /** From the exit date to the due date. */
  dueAfter: string;
  /** Either side of the due date: a revisit completed inside it is on time. */
  onTimeWindow: string;
  /** From the due date to overdue; by default the end of the on-time window. */
  overdueAfter: string;
  /** What a re-referral does to a revisit that is still pending. */
  onReReferral: 'cancel' | 'keep';
}

/** Derbyshire's ask (DOMAIN.md §3): completers, one year on, ± four weeks. */
export const DEFAULT_FOLLOW_UP_POLICY: FollowUpPolicy = Object.freeze({
  version: 1,
  exitTypes: Object.freeze(['planned'] as ExitType[]),
  dueAfter: 'P12M',
  onTimeWindow: 'P4W',
  overdueAfter: 'P4W',
  onReReferral: 'cancel',
});

export interface FollowUpSchedule {
  dueAt: IsoDateTime;
  windowOpensAt: IsoDateTime;
  windowClosesAt: IsoDateTime;
  overdueAt: IsoDateTime;
  policyVersion: number;
}

interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
}

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;

export function parseDuration(text: string): Duration {
  const m = DURATION.exec(text);
  if (!m || text === 'P')
    throw new Error(`not an ISO 8601 duration of years, months, weeks, days: ${text}`);
  const [years, months, weeks, days] = m.slice(1).map((v) => Number(v ?? 0));
  return { years, months, weeks, days };
}

/**
 * Calendar arithmetic in UTC, keeping the time of day. Months first: the same day of the month
 * that many months on or, when that month is shorter, its last day (31 Jan + 1 month = 28/29 Feb,
 * 29 Feb 2024 + 12 months = 28 Feb 2025). Then weeks and days as 24-hour days.
 */
export function addDuration(at: Date, duration: string, sign: 1 | -1 = 1): Date {
  const d = parseDuration(duration);
  const months = sign * (d.years * 12 + d.months);
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const shifted = new Date(at);
  shifted.setUTCFullYear(targetYear, targetMonth, Math.min(at.getUTCDate(), lastDay));
  return new Date(shifted.getTime() + sign * (d.weeks * 7 + d.days) * 86_400_000);
}

export const qualifiesForFollowUp = (policy: FollowUpPolicy, exitType: ExitType) =>
  policy.exitTypes === 'all' || policy.exitTypes.includes(exitType);

/** The revisit of an exit on `exitedAt` under `policy`. */
export function scheduleFor(
  policy: FollowUpPolicy,
  exitedAt: IsoDateTime | Date,
): FollowUpSchedule {
  const due = addDuration(new Date(exitedAt), policy.dueAfter);
  return {
    dueAt: due.toISOString(),
    windowOpensAt: addDuration(due, policy.onTimeWindow, -1).toISOString(),
    windowClosesAt: addDuration(due, policy.onTimeWindow).toISOString(),
    overdueAt: addDuration(due, policy.overdueAfter).toISOString(),
    policyVersion: policy.version,
  };
}

/** On time: completed inside the window around the due date (inclusive). */
export const completedOnTime = (
  schedule: Pick<FollowUpSchedule, 'windowOpensAt' | 'windowClosesAt'>,
  completedAt: IsoDateTime,
) =>
  Date.parse(schedule.windowOpensAt) <= Date.parse(completedAt) &&
  Date.parse(completedAt) <= Date.parse(schedule.windowClosesAt);

/** Checks a policy read from configuration (JSON); names the first thing wrong. */
export function parsePolicy(value: unknown): FollowUpPolicy {
  const p = value as Partial<FollowUpPolicy> | null;
  const fail = (message: string): never => {
    throw new Error(`follow-up policy: ${message}`);
  };
  if (!p || typeof p !== 'object') return fail('must be an object');
  if (!Number.isInteger(p.version) || p.version! < 1) fail('version must be a positive integer');
  const types = p.exitTypes;
  if (
    types !== 'all' &&
    !(Array.isArray(types) && types.length && types.every((t) => EXIT_TYPES.includes(t)))
  ) {
    fail(`exitTypes must be 'all' or a non-empty list of ${EXIT_TYPES.join(', ')}`);
  }
  for (const key of ['dueAfter', 'onTimeWindow', 'overdueAfter'] as const) {
    try {
      parseDuration(String(p[key]));
    } catch {
      fail(`${key} must be an ISO 8601 duration such as P12M or P4W`);
    }
  }
  if (p.onReReferral !== 'cancel' && p.onReReferral !== 'keep') {
    fail("onReReferral must be 'cancel' or 'keep'");
  }
  return p as FollowUpPolicy;
}
