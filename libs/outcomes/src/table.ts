/** The before/after table, from per-domain counts over a cohort's family episodes. */
import { OutcomeDomain } from './definitions';
import { mcnemarExact, relativeReduction, wilson } from './statistics';

/** Counts for one domain over the cohort (what the read model's query returns). */
export interface DomainCounts {
  /** Families with the domain assessed at both baseline and the end point. */
  n: number;
  baseline: number;
  end: number;
  /** Discordant pairs: present at baseline but not at the end, and the reverse. */
  presentToAbsent: number;
  absentToPresent: number;
  /** Of the n, families also assessed at follow-up, and how many had the condition then. */
  followUpN: number;
  followUp: number;
  /** Improved at the end point and assessed at follow-up; of those, still improved then. */
  improvedFollowedUp: number;
  kept: number;
}

export interface Proportion {
  count: number;
  /** Percent, 0–100, unrounded. */
  pct: number;
  /** Wilson 95% interval, in percent. */
  ci95: [number, number];
}

export interface DomainRow {
  id: string;
  label: string;
  lowerIsBetter: boolean;
  n: number;
  baseline: Proportion;
  exit: Proportion;
  /** Null when no family of the n has had a follow-up assessment of this domain. */
  followUp: (Proportion & { n: number }) | null;
  relativeReduction: number | null;
  mcnemarP: number;
  /** Of families improved at exit and assessed one year on, how many kept the improvement. */
  sustained: { improvedAtExit: number; followedUp: number; kept: number; pct: number } | null;
}

export function proportion(count: number, n: number): Proportion {
  const [lo, hi] = wilson(count, n);
  return { count, pct: n ? (100 * count) / n : 0, ci95: [100 * lo, 100 * hi] };
}

export function domainRow(domain: OutcomeDomain, c: DomainCounts): DomainRow {
  const improvedAtExit = domain.lowerIsBetter ? c.presentToAbsent : c.absentToPresent;
  return {
    id: domain.id,
    label: domain.label,
    lowerIsBetter: domain.lowerIsBetter,
    n: c.n,
    baseline: proportion(c.baseline, c.n),
    exit: proportion(c.end, c.n),
    followUp: c.followUpN ? { n: c.followUpN, ...proportion(c.followUp, c.followUpN) } : null,
    relativeReduction: relativeReduction(c.baseline, c.end),
    mcnemarP: mcnemarExact(c.presentToAbsent, c.absentToPresent),
    sustained: c.improvedFollowedUp
      ? {
          improvedAtExit,
          followedUp: c.improvedFollowedUp,
          kept: c.kept,
          pct: (100 * c.kept) / c.improvedFollowedUp,
        }
      : null,
  };
}
