import { FamilyEvent } from '@app/domain';
import { familyIdOf, keptStates } from '@app/read-models/family-stream';
import type { RecordedEvent } from '@app/event-store';
import type { Projection } from '@app/projections';
import { EntityManager } from 'typeorm';
import { OutcomeDefinitions, definitionsFromEnv } from '../definitions';
import { deriveEpisodes } from '../episode-outcomes';
import { OutcomeHistory, emptyHistory, foldOutcomeEvent } from '../history';
import { episodeRecords } from './episode-records';
import { OutcomeDefinitionsChanged, recordModel } from './model';
import { updateOutcomeRollup } from './rollup';
import { upsertJsonRows } from '@app/projections/sql';

export { episodeRecords, OutcomeDefinitionsChanged };

/** Folds a batch of events into the families' outcome histories (`foldOutcomeEvent`): pure. */
export function evolveHistories(
  states: ReadonlyMap<string, OutcomeHistory>,
  events: readonly RecordedEvent[],
): { states: Map<string, OutcomeHistory>; positions: Map<string, string> } {
  const next = new Map(states);
  const positions = new Map<string, string>();
  for (const event of events) {
    const id = familyIdOf(event.streamId);
    const state = next.get(id) ?? emptyHistory();
    next.set(id, foldOutcomeEvent(state, event as unknown as FamilyEvent, Number(event.revision)));
    positions.set(id, event.position.toString());
  }
  return { states: next, positions };
}

/**
 * `outcome_episodes` (see the migration): per family, the outcome history is folded with the pure
 * `foldOutcomeEvent` and every episode re-derived, so a late record lands where it belongs. One
 * read and two writes per batch, whatever its size.
 */
export class OutcomesProjection implements Projection {
  static readonly NAME = 'outcomes';
  readonly name = OutcomesProjection.NAME;
  readonly tables = [
    'outcome_families',
    'outcome_episodes',
    'outcome_model',
    'outcome_rollup',
  ] as const;

  constructor(
    readonly definitions: OutcomeDefinitions = definitionsFromEnv(),
    /** Whether `apply` keeps `outcome_rollup` (a rebuild's replay fills it at the end instead). */
    private readonly rollup = true,
  ) {}

  /** The replay leaves the rollup out: kept batch by batch it cost a third of the rebuild. */
  forReplay(): Projection {
    return new OutcomesProjection(this.definitions, false);
  }

  /** The rollup of every replayed episode at once. */
  async finishReplay(tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM outcome_rollup');
    await updateOutcomeRollup(tx, this.definitions, 'all', 1);
  }

  async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const kept = await keptStates<OutcomeHistory>(tx, 'outcome_families', events);
    const { ids } = kept;
    const { states, positions } = evolveHistories(kept.states, events);
    // The position says up to where the row is the family's state (returns read settled rows).
    const families = ids.map((id) => ({
      family_id: id,
      state: states.get(id)!,
      position: positions.get(id)!,
    }));
    const episodes = ids.flatMap((id) => deriveEpisodes(id, states.get(id)!, this.definitions));
    await tx.query(
      `INSERT INTO outcome_families
       SELECT * FROM jsonb_populate_recordset(null::outcome_families, $1::jsonb)
       ON CONFLICT (family_id) DO UPDATE SET state = excluded.state, position = excluded.position`,
      [JSON.stringify(families)],
    );
    // The rollup follows the episodes: their old contributions out, the new ones in.
    if (this.rollup) await updateOutcomeRollup(tx, this.definitions, ids, -1);
    await upsertJsonRows(
      tx,
      'outcome_episodes',
      ['family_id', 'episode'],
      episodeRecords(episodes),
    );
    if (this.rollup) await updateOutcomeRollup(tx, this.definitions, ids, 1);
    // Last: every batch locks this one row, so taken first it would serialise whole batches
    // applied side by side (a rebuild's); a definitions mismatch still rolls the batch back.
    await this.recordModel(events, tx);
  }

  /** Last: every batch locks this row (see `apply`); a definitions mismatch rolls it back. */
  private async recordModel(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const latest = events.reduce(
      (max, e) => (e.metadata.recordedAt > max ? e.metadata.recordedAt : max),
      events[0].metadata.recordedAt,
    );
    await recordModel(tx, this.definitions, latest);
  }
}
