/*
 * The families read model, pure: its evolve (the domain's own `evolve`, per family, with the
 * revision and position reached), the row a family's state makes, and the "as at" fold — the
 * same evolve run over the events up to a position, nothing persisted.
 */
import { FamilyEvent, FamilyState, currentEpisode, evolve, initialState } from '@app/domain';

/** One family's event as the fold takes it (a store record, or a timeline row). */
export interface FamilyFact {
  familyId: string;
  event: FamilyEvent;
  revision: bigint;
  position: bigint;
}

/** A family's folded state, with the revision and log position it reflects. */
export interface FamilyFold {
  state: FamilyState;
  revision: bigint;
  position: bigint;
}

/** A `families` row's columns (timestamps as `Time`; bigints as strings, as pg returns them). */
export interface FamilyColumns<Time> {
  family_id: string;
  authority: string;
  programme: string;
  status: string;
  episode: number;
  key_worker: string | null;
  referred_at: Time;
  offered_at: Time | null;
  accepted_at: Time | null;
  support_plan_agreed_at: Time | null;
  refused_at: Time | null;
  refusal_stage: string | null;
  exited_at: Time | null;
  exit_type: string | null;
  follow_up: string;
  moved_to: string | null;
  revision: string;
}

/** A `families` row as it is written (timestamps as ISO strings), with its position and state. */
export interface FamilyRecord extends FamilyColumns<string> {
  position: string;
  state: FamilyState;
}

/**
 * Folds `facts` (each family's in stream order) onto the states `stateOf` gives (a family not
 * known starts from the domain's initial state); answers the families touched.
 */
export function evolveFamilies(
  stateOf: (familyId: string) => FamilyState | undefined,
  facts: Iterable<FamilyFact>,
): Map<string, FamilyFold> {
  const families = new Map<string, FamilyFold>();
  for (const { familyId, event, revision, position } of facts) {
    const family = families.get(familyId) ?? {
      state: stateOf(familyId) ?? initialState(),
      revision: 0n,
      position: 0n,
    };
    family.state = evolve(family.state, event);
    family.revision = revision;
    family.position = position;
    families.set(familyId, family);
  }
  return families;
}

/** The row a family's fold makes; a stream that does not start with a referral is refused. */
export function familyRecord(familyId: string, f: FamilyFold): FamilyRecord {
  const episode = currentEpisode(f.state);
  if (!episode || !f.state.authority || !f.state.programme) {
    throw new Error(`family ${familyId}: stream does not start with FamilyReferred`);
  }
  return {
    family_id: familyId,
    authority: f.state.authority,
    programme: f.state.programme,
    status: episode.status,
    episode: episode.number,
    key_worker: f.state.keyWorker ?? null,
    referred_at: episode.referredAt,
    offered_at: episode.offeredAt ?? null,
    accepted_at: episode.acceptedAt ?? null,
    support_plan_agreed_at: episode.supportPlanAgreedAt ?? null,
    refused_at: episode.refusedAt ?? null,
    refusal_stage: episode.refusalStage ?? null,
    exited_at: episode.exitedAt ?? null,
    exit_type: episode.exitType ?? null,
    follow_up: episode.followUp,
    moved_to: f.state.movedTo ?? null,
    revision: f.revision.toString(),
    position: f.position.toString(),
    state: f.state,
  };
}

/** The "as at" fold: the families rows as they stood at `position` (events after it ignored). */
export function familiesAsAt(facts: Iterable<FamilyFact>, position: bigint): FamilyRecord[] {
  const upTo = [...facts].filter((f) => f.position <= position);
  return [...evolveFamilies(() => undefined, upTo)].map(([id, f]) => familyRecord(id, f));
}
