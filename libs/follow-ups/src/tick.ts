import { FollowUpEngine, FollowUpEngineOptions } from './engine';
import { SweepResult } from './jobs';

/**
 * One operator tick "as at" a date (`followups tick --at <date>`, for demos): sweeps with the
 * clock fixed at `at`, processes the revisits that are due by then in this process, and returns
 * once none is left waiting. Revisits due later stay in PostgreSQL for a later tick.
 */
export async function runFollowUpTick(
  options: Omit<FollowUpEngineOptions, 'clock' | 'horizonMs'>,
  at: Date,
  timeoutMs = 5 * 60_000,
): Promise<SweepResult> {
  const engine = new FollowUpEngine({
    ...options,
    clock: { now: () => new Date(at) },
    horizonMs: 0,
  });
  try {
    engine.startWorkers();
    const result = await engine.sweep(at);
    const deadline = Date.now() + timeoutMs;
    while ((await engine.dueQueue.getJobCountByTypes('waiting', 'active', 'prioritized')) > 0) {
      if (Date.now() > deadline) throw new Error('follow-up tick: due jobs still waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
    return result;
  } finally {
    await engine.close();
  }
}
