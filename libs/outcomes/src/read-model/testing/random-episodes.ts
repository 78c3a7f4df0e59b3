/**
 * Random episodes for the tests that hold the SQL equal to the TypeScript rules: any status, dates,
 * exit type, masks and consent (the rules must hold for all), from a seeded generator.
 */
import { EXIT_TYPES } from '@app/domain';
import { Random, seeded } from '@app/workload';
import { OutcomeDefinitions } from '../../definitions';
import { EpisodeOutcome, POINTS, PointMasks } from '../../episode-outcomes';
import { CohortFilter } from '../source';

const STATUSES: EpisodeOutcome['status'][] = [
  'referred',
  'offered',
  'accepted',
  'refused',
  'exited',
];

const day = (r: Random, from: number) => new Date(from + r.int(700) * 86_400_000).toISOString();
const mask = (r: Random, domains: number) => {
  let m = 0n;
  for (let i = 0; i < domains; i++) if (r.chance(0.5)) m |= 1n << BigInt(i);
  return m;
};

/** A random episode: any status, dates, exit type and masks (the rules must hold for all). */
function episode(r: Random, n: number, domains: number): EpisodeOutcome {
  const status = r.pick(STATUSES);
  const referredAt = day(r, Date.parse('2024-01-01T00:00:00Z'));
  const accepted = status === 'accepted' || status === 'exited' ? r.chance(0.9) : r.chance(0.1);
  const exited = status === 'exited';
  const masks = Object.fromEntries(
    POINTS.map((p) => [p, { assessed: mask(r, domains), present: mask(r, domains) }]),
  ) as PointMasks;
  return {
    familyId: r.uuid(),
    episode: 1 + (n % 2),
    authority: r.pick(['prop-a', 'prop-b']),
    programme: r.pick(['fip', 'tf']),
    status,
    referredAt,
    offeredAt: null,
    acceptedAt: accepted ? referredAt : null,
    supportPlanAgreedAt: null,
    refusedAt: null,
    refusalStage: null,
    exitedAt: exited ? day(r, Date.parse(referredAt)) : null,
    exitType: exited ? r.pick(EXIT_TYPES) : null,
    movedArea: false,
    revisited: r.chance(0.5),
    masks,
    earlyWeeklyHours: null,
    lateWeeklyHours: null,
    supportTypes: [],
    // Some families withdrew consent to evaluation: the consent rule must hold for them too.
    evaluationWithdrawnAt: r.chance(0.15) ? day(r, Date.parse(referredAt)) : null,
    dataSharingWithdrawnAt: null,
  };
}

export const FILTERS: CohortFilter[] = [
  {},
  { authority: 'prop-a' },
  { programme: 'tf', referredFrom: '2024-06-01T00:00:00.000Z' },
  {
    authority: 'prop-b',
    exitedFrom: '2024-03-01T00:00:00.000Z',
    exitedBefore: '2025-01-01T00:00:00.000Z',
  },
  { referredBefore: '2024-09-01T00:00:00.000Z' },
];
export const SEEDS = [1, 2, 3];

/** 150 random episodes from `seed`, masks over the definitions' domains. */
export function randomEpisodes(definitions: OutcomeDefinitions, seed: number): EpisodeOutcome[] {
  const r = seeded(seed);
  return Array.from({ length: 150 }, (_, n) => episode(r, n, definitions.domains.length));
}
