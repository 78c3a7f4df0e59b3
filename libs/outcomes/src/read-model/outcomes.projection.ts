import { FAMILY_STREAM_PREFIX, FamilyEvent } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { Projection } from '@app/projections';
import { EntityManager } from 'typeorm';
import { OutcomeDefinitions, definitionsFromEnv } from '../definitions';
import { deriveEpisodes } from '../episode-outcomes';
import { OutcomeHistory, emptyHistory, foldOutcomeEvent } from '../history';
import { episodeRecords } from './episode-records';
import { OutcomeDefinitionsChanged, recordModel } from './model';
import { updateOutcomeRollup } from './rollup';

export { episodeRecords, OutcomeDefinitionsChanged };

const familyIdOf = (streamId: string) => streamId.slice(FAMILY_STREAM_PREFIX.length);

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
    const ids = [...new Set(events.map((e) => familyIdOf(e.streamId)))];
    const rows = (await tx.query(
      'SELECT family_id, state FROM outcome_families WHERE family_id = ANY($1)',
      [ids],
    )) as { family_id: string; state: OutcomeHistory }[];
    const { states, positions } = evolveHistories(
      new Map(rows.map((r) => [r.family_id, r.state])),
      events,
    );
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
    await tx.query(
      `INSERT INTO outcome_episodes
       SELECT * FROM jsonb_populate_recordset(null::outcome_episodes, $1::jsonb)
       ON CONFLICT (family_id, episode) DO UPDATE SET
         authority = excluded.authority, programme = excluded.programme, status = excluded.status,
         referred_at = excluded.referred_at, offered_at = excluded.offered_at,
         accepted_at = excluded.accepted_at, support_plan_agreed_at = excluded.support_plan_agreed_at,
         refused_at = excluded.refused_at, refusal_stage = excluded.refusal_stage,
         exited_at = excluded.exited_at, exit_type = excluded.exit_type,
         moved_area = excluded.moved_area, revisited = excluded.revisited,
         baseline_assessed = excluded.baseline_assessed, baseline_present = excluded.baseline_present,
         exit_assessed = excluded.exit_assessed, exit_present = excluded.exit_present,
         latest_assessed = excluded.latest_assessed, latest_present = excluded.latest_present,
         follow_up_assessed = excluded.follow_up_assessed,
         follow_up_present = excluded.follow_up_present,
         early_weekly_hours = excluded.early_weekly_hours,
         late_weekly_hours = excluded.late_weekly_hours, support_types = excluded.support_types,
         evaluation_withdrawn_at = excluded.evaluation_withdrawn_at`,
      [JSON.stringify(episodeRecords(episodes))],
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
