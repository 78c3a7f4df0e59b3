/** The engine's Redis side: job payloads, queue names, job options. Ids and dates only. */
import { JobsOptions } from 'bullmq';

/** A due job: ids and dates only, never personal data. */
export interface DueJob {
  followUpId: string;
  familyId: string;
  episode: number;
  authority: string;
  dueAt: string;
}

export type NotifyJob = DueJob;

export interface SweepResult {
  scheduled: number;
  cancelled: number;
  enqueued: number;
  failed: number;
}

export const QUEUES = {
  due: 'follow-up-due',
  notify: 'follow-up-notify',
} as const;

const CONCURRENCY = 8;

/**
 * The job id is the follow-up id, so BullMQ holds at most one job per revisit however many sweeps
 * or workers enqueue it. Finished jobs are removed at once: a later sweep must be able to enqueue
 * the revisit again if its `FollowUpDue` did not get recorded.
 */
export const dueJobOptions = (followUpId: string, delay: number): JobsOptions => ({
  jobId: followUpId,
  delay,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
});

export async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
}

/** Runs `each` over every keyset page `page(after)` returns, until an empty one. */
export async function eachPage<R, K>(
  first: K,
  page: (after: K) => Promise<R[]>,
  next: (last: R) => K,
  each: (rows: R[]) => Promise<void>,
): Promise<void> {
  for (let after = first; ;) {
    const rows = await page(after);
    if (!rows.length) return;
    after = next(rows[rows.length - 1]);
    await each(rows);
  }
}
