import {
  FAMILY_STREAM_PREFIX,
  FamilyEvent,
  FamilyState,
  decide,
  evolve,
  initialState,
} from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { loadDefinitions } from '../../definitions';
import { EpisodeOutcome, deriveEpisodes } from '../../episode-outcomes';
import { OutcomeHistory } from '../../history';
import { evolveHistories } from '../outcomes.projection';

export const FAMILY = '00000000-0000-4000-8000-000000000001';
const definitions = loadDefinitions();
const NOW = new Date('2030-01-01T00:00:00.000Z');

/** Events through the decider (as the API records them), as the store would hand them over. */
function recorded(events: FamilyEvent[], state: FamilyState, from: number) {
  const out: RecordedEvent[] = [];
  for (const event of events) {
    for (const stored of decide({ type: 'RecordFamilyEvent', event, now: NOW }, state)) {
      state = evolve(state, stored);
      const n = from + out.length;
      out.push({
        streamId: `${FAMILY_STREAM_PREFIX}${FAMILY}`,
        revision: BigInt(n),
        position: BigInt(n + 1),
        type: stored.type,
        data: stored.data as unknown as Record<string, unknown>,
        metadata: { recordedAt: NOW.toISOString() },
      } as RecordedEvent);
    }
  }
  return { out, state };
}

/** The projection's evolve over batches, the state kept between them as the table keeps it (JSON). */
function apply(batches: RecordedEvent[][]): EpisodeOutcome[] {
  let states = new Map<string, OutcomeHistory>();
  for (const batch of batches) {
    if (!batch.length) continue;
    states = evolveHistories(states, batch).states;
    states = new Map(JSON.parse(JSON.stringify([...states])) as [string, OutcomeHistory][]);
  }
  const state = states.get(FAMILY);
  return state ? deriveEpisodes(FAMILY, state, definitions) : [];
}

/**
 * Given/when/then for the outcomes read model, as for the decider: `given(events)` applied in one
 * batch, `when(events)` in the next, `then` the family's episodes (each matched field by field).
 * Every case also checks that one batch of all the events gives the same episodes.
 */
export function given(...history: FamilyEvent[]) {
  return {
    when(...events: FamilyEvent[]) {
      const first = recorded(history, initialState(), 0);
      const second = recorded(events, first.state, first.out.length);
      const run = () => apply([first.out, second.out]);
      return {
        then(expected: Partial<EpisodeOutcome>[]) {
          const episodes = run();
          expect(episodes).toHaveLength(expected.length);
          expected.forEach((e, i) => expect(episodes[i]).toMatchObject(e));
          expect(apply([[...first.out, ...second.out]])).toEqual(episodes);
        },
        /** The family's episodes, for checks `then` cannot express (masks by domain). */
        episodes: run,
      };
    },
  };
}

export const bitOf = (id: string) => {
  const i = definitions.domains.findIndex((d) => d.id === id);
  if (i < 0) throw new Error(`no outcome domain ${id}`);
  return 1n << BigInt(i);
};
