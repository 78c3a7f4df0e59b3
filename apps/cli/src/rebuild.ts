/**
 * `outcomes rebuild [projection…]`: replays projections from the start into shadow tables and
 * swaps them in once caught up (`rebuildProjections`); readers and a running worker keep the live
 * tables meanwhile. Progress on stderr: events replayed of those at the head when it started.
 */
import { FAMILY_STREAM_PREFIX } from '@app/domain';
import { RebuildResult, rebuildProjections } from '@app/projections';
import { allProjections, projectionRegistry } from '@app/read-models';
import { Ledger } from './ledger';
import { Progress } from './progress';

export const projectionNames = (): string[] => allProjections().map((p) => p.name);

/** The projections named (all of them when none is), or an error naming the known ones. */
export function selectProjections(names: string[]) {
  const all = allProjections();
  if (!names.length) return all;
  const unknown = names.filter((n) => !all.some((p) => p.name === n));
  if (unknown.length) {
    throw new Error(
      `unknown projection ${unknown.join(', ')}; known: ${projectionNames().join(', ')}`,
    );
  }
  return all.filter((p) => names.includes(p.name));
}

export async function rebuild(
  ledger: Ledger,
  names: string[],
  options: { batchSize: number; workers: number },
): Promise<RebuildResult> {
  const projections = selectProjections(names);
  let progress: Progress | undefined;
  let phase = '';
  const result = await rebuildProjections(ledger.store, ledger.db, projections, {
    batchSize: options.batchSize,
    workers: options.workers,
    registry: projectionRegistry,
    streamPrefixes: [FAMILY_STREAM_PREFIX],
    onProgress: (p) => {
      progress ??= new Progress('rebuild', Math.max(p.total, 1), 'events');
      progress.update(Math.min(p.events, p.total), p.events);
      if (p.phase !== phase && p.phase !== 'replay' && p.phase !== 'done' && !process.stderr.isTTY)
        process.stderr.write(`rebuild: ${p.phase} at ${p.events} events\n`);
      phase = p.phase;
    },
  });
  progress?.finish(result.events, `swapped in at position ${result.position}`);
  // The swapped-in tables carry the statistics gathered on the shadow ones; the log may have grown.
  await ledger.store.analyze();
  return result;
}
