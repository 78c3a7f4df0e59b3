/**
 * `outcomes followups tick --at <date>`: the follow-up scheduler run once "as at" a date, for
 * demos and drills. It schedules the revisits of exits the policy covers, cancels those of
 * re-referred families and raises every revisit due by then, with the clock fixed at that date.
 * It runs the projections itself until they reach the head of the log, so the answer reflects
 * everything recorded.
 */
import { fixedClock } from '@app/domain';
import {
  SweepResult,
  followUpConfigFrom,
  followUpRecorder,
  queuePrefix,
  redisAddress,
  runFollowUpTick,
} from '@app/follow-ups';
import { Ledger, withProjections } from './ledger';

export async function followUpTick(ledger: Ledger, at: Date): Promise<SweepResult> {
  const followUps = followUpConfigFrom(ledger.config.followUps);
  // Asked first, briefly: a tick without Redis fails at once with one line, not a retry loop.
  if (!(await ledger.redis.answers(3000, followUps.redisUrl))) {
    throw new RedisUnavailableError(redisAddress(followUps.redisUrl));
  }
  // The shared link (closed with the ledger); lost mid-tick, it says so once a minute at most.
  const redis = ledger.redis.get(followUps.redisUrl).connection;
  return withProjections(ledger, async (caughtUp) => {
    await caughtUp();
    const result = await runFollowUpTick(
      {
        db: ledger.db,
        recorder: followUpRecorder(ledger.store, fixedClock(at)),
        redis,
        policy: followUps.policy,
        prefix: queuePrefix(followUps.prefix, (await ledger.store.identity()).id),
      },
      at,
    );
    await caughtUp();
    return result;
  });
}

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(address: string) {
    super(`Redis is not answering at ${address} (REDIS_URL): the follow-up tick needs it`);
  }
}
