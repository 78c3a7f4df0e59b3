/**
 * The episode a dated fact belongs to: the latest one referred by then, or the first when the
 * fact predates every referral (back-entered history). The decider attributes facts by it, and
 * the outcomes fold reads them back with it.
 */
export function episodeAt<E extends { referredAt: string }>(episodes: readonly E[], at: number): E {
  for (let i = episodes.length - 1; i >= 0; i--) {
    if (Date.parse(episodes[i].referredAt) <= at) return episodes[i];
  }
  return episodes[0];
}
