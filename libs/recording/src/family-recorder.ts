import { randomUUID } from 'node:crypto';
import {
  BUILT_IN_CODE_LISTS,
  Clock,
  CodeLists,
  FamilyEvent,
  FamilyIntent,
  FamilyState,
  SCHEMA_VERSIONS,
  decide,
  familyEventOf,
  familyStreamId,
  freeTextOf,
  intentEventType,
  fold,
  isSameRecord,
} from '@app/domain';
import {
  DuplicateEventIdError,
  EventStore,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '@app/event-store';
import { matchCodes } from './code-lists';
import { storedFamilyId } from './family-ids';
import { RecentHistories } from './recent-histories';

export { RecentHistories };

/** Who asks, for the event's metadata (authentication fills this in). */
export interface Actor {
  id: string;
  correlationId: string;
}

interface RecordBase {
  familyId: string;
  actor: Actor;
  /** Client-chosen event id: a retry with the same id and body returns the first answer. */
  eventId?: string;
  /** Optimistic concurrency: the revision the client last saw. */
  expectedRevision?: number;
  /** A referral that must start a new family (`POST /v1/families`). */
  newFamily?: boolean;
  /**
   * The caller's authority. A family of another authority is reported as not found (its existence
   * is not revealed) and a referral must be into this authority. `null`: national; absent: a
   * trusted writer acting for the system (the follow-up engine, an import).
   */
  authority?: string | null;
}

/**
 * What to record: an event as the caller states it (the decider checks it), or a command named
 * for its intent (the decider builds the events).
 */
export type RecordRequest = RecordBase &
  ({ event: FamilyEvent; intent?: undefined } | { intent: FamilyIntent; event?: undefined });

export interface Recorded {
  familyId: string;
  eventId: string;
  revision: number;
  /** Global position, as a string: it is a 64-bit integer. */
  position: string;
}

export class FamilyNotFound extends Error {
  override readonly name = 'FamilyNotFound';
  constructor(readonly familyId: string) {
    super(`family ${familyId} does not exist`);
  }
}

/**
 * A referral into an authority the caller does not work for. The answer names the caller's own
 * authority only: it never echoes another authority's code.
 */
export class OutsideAuthority extends Error {
  override readonly name = 'OutsideAuthority';
  constructor(readonly ownAuthority: string) {
    super(`you may only refer families to your own authority (${ownAuthority})`);
  }
}

export class FamilyExists extends Error {
  override readonly name = 'FamilyExists';
  constructor(readonly familyId: string) {
    super(`family ${familyId} already exists`);
  }
}

/**
 * Seals the personal details of an event with the family's key before it is decided and appended
 * (implemented by `PersonalDataVault` in @app/security). `commit()` stores a new key, just before
 * the append; `FamilyKeyRace` (matched by name) means another writer stored one first: decide again.
 */
export interface PersonalDataSealer {
  seal(
    familyId: string,
    event: FamilyEvent,
  ): Promise<{ event: FamilyEvent; commit(): Promise<void> }>;
}

// Concurrent writers without an expected revision simply decide again on the newer history.
const MAX_ATTEMPTS = 5;

/**
 * The one write path for family events, whoever records them (the API, the follow-up engine, an
 * import): load the stream, decide, append with the revision that was read.
 */
export class FamilyRecorder {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    /** Without one, events carrying clear personal details are refused by the decider. */
    private readonly sealer?: PersonalDataSealer,
    /** What coded fields are matched against (`loadCodeLists`); the built-in lists without. */
    private readonly codes: CodeLists = BUILT_IN_CODE_LISTS,
    /** Families whose history is kept after a write, so the next write need not read it back. */
    private readonly histories = new RecentHistories(1_000),
  ) {}

  async record(command: RecordRequest): Promise<Recorded> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(command);
      } catch (e) {
        const keyRace = e instanceof Error && e.name === 'FamilyKeyRace';
        const retry =
          keyRace ||
          (e instanceof WrongExpectedRevisionError && command.expectedRevision === undefined);
        if (!retry || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }

  /**
   * Decides on the kept history when there is one. It may be stale (another process wrote since):
   * then the append's expected revision fails. Any failure on a kept history, stale or not, is
   * answered again from the stream as stored, so no answer ever rests on the kept copy alone.
   */
  private async attempt(command: RecordRequest): Promise<Recorded> {
    const named = familyStreamId(command.familyId);
    const kept = this.histories.get(named);
    if (kept) {
      const state = fold(kept.map(asDomain));
      if (this.storedIdOf(command, kept, state) === command.familyId) {
        try {
          return await this.decideAndAppend(command, command.familyId, kept, state);
        } catch {
          this.histories.delete(named);
        }
      }
    }
    const history = await this.store.readStream(named);
    const state = fold(history.map(asDomain));
    const storedId = this.storedIdOf(command, history, state);
    if (storedId === command.familyId) {
      return this.decideAndAppend(command, storedId, history, state);
    }
    // Another authority holds this id: the caller's own family under it (see `storedFamilyId`).
    const own = await this.store.readStream(familyStreamId(storedId));
    return this.decideAndAppend(command, storedId, own, fold(own.map(asDomain)));
  }

  /** The family the command means (`storedFamilyId`), given the stream named by its id. */
  private storedIdOf(command: RecordRequest, history: RecordedEvent[], state: FamilyState) {
    const holder = history.length ? state.authority : undefined;
    return storedFamilyId(command.authority, command.familyId, holder);
  }

  /** `storedId`: the family as stored (`storedFamilyId`); answers name it as the caller did. */
  private async decideAndAppend(
    command: RecordRequest,
    storedId: string,
    history: RecordedEvent[],
    state: FamilyState,
  ): Promise<Recorded> {
    const { familyId, actor } = command;
    const streamId = familyStreamId(storedId);
    if (typeof command.authority === 'string') {
      // Before anything answers from the history: another authority's family does not exist here
      // (a family stored under the caller's own derived id and since transferred away).
      if (history.length && state.authority !== command.authority) {
        throw new FamilyNotFound(familyId);
      }
      if (
        !history.length &&
        command.event?.type === 'FamilyReferred' &&
        command.event.data.authority !== command.authority
      ) {
        throw new OutsideAuthority(command.authority);
      }
    }
    // Coded fields as their listed codes (any case in), the lists of the family's authority.
    const coded =
      command.event &&
      matchCodes(
        command.event,
        this.codes,
        history.length
          ? state.authority
          : command.event.type === 'FamilyReferred'
            ? command.event.data.authority
            : command.authority,
        command.newFamily ? referralField : undefined,
      );
    // Sealing is deterministic per family key, so a retried request compares equal to the stored one.
    // An intent carries no personal details, at most free text (a transfer's reason).
    const sealed =
      this.sealer && coded
        ? await this.sealer.seal(storedId, coded)
        : { event: coded, commit: async () => {} };
    const event = sealed.event;
    const intentSealed = command.intent
      ? await this.sealIntentText(familyId, command.intent)
      : undefined;
    const intent = intentSealed?.intent;

    const replay = command.eventId ? history.find((e) => e.id === command.eventId) : undefined;
    if (replay) {
      // An intent is compared as the event it decided then, on the history before it.
      const requested =
        event ??
        decide(
          { ...intent!, now: this.clock.now() },
          fold(history.slice(0, history.indexOf(replay)).map(asDomain)),
        )[0];
      return this.idempotentAnswer(familyId, replay, requested);
    }
    if (event && command.newFamily && history.length) {
      const first = history[0];
      // Retrying `POST /v1/families` with the same id and body is safe too.
      if (isSameRecord(asDomain(first), event)) return answer(familyId, first);
      throw new FamilyExists(familyId);
    }
    if (!history.length && event?.type !== 'FamilyReferred') throw new FamilyNotFound(familyId);

    const current = history.length ? BigInt(history.length - 1) : undefined;
    if (command.expectedRevision !== undefined && BigInt(command.expectedRevision) !== current) {
      throw new WrongExpectedRevisionError(
        streamId,
        BigInt(command.expectedRevision),
        current ?? 'no_stream',
      );
    }
    const now = this.clock.now();
    const decided = event
      ? decide({ type: 'RecordFamilyEvent', event, now }, state)
      : decide({ ...intent!, now }, state);
    const authority =
      state.authority ?? (event?.type === 'FamilyReferred' ? event.data.authority : '');
    const newEvents = decided.map((e, i) => ({
      id: i === 0 && command.eventId ? command.eventId : randomUUID(),
      type: e.type,
      data: e.data as unknown as Record<string, unknown>,
      metadata: {
        recordedAt: now.toISOString(),
        actor: actor.id,
        authority,
        correlationId: actor.correlationId,
        schemaVersion: SCHEMA_VERSIONS[e.type],
        // A family stored under its authority's derived id keeps the id its client knows it by.
        ...(storedId !== familyId ? { clientFamilyId: familyId } : {}),
      },
    }));
    await sealed.commit();
    await intentSealed?.commit();
    const result = await this.store.append(streamId, newEvents, {
      expectedRevision: current ?? 'no_stream',
    });
    this.histories.wrote(streamId, history, newEvents, result);
    return {
      familyId,
      eventId: newEvents[newEvents.length - 1].id,
      revision: Number(result.nextRevision),
      position: result.position.toString(),
    };
  }

  /**
   * An intent's free text (`reason`, when the event it records carries free text) sealed as the
   * vault seals an event's: the vault is shown the text under that event type, nothing else.
   */
  private async sealIntentText(
    familyId: string,
    intent: FamilyIntent,
  ): Promise<{ intent: FamilyIntent; commit(): Promise<void> }> {
    const unchanged = { intent, commit: async () => {} };
    const reason = (intent as { reason?: unknown }).reason;
    const text = { type: intentEventType(intent), data: { occurredAt: '', reason } };
    if (!this.sealer || typeof reason !== 'string' || freeTextOf(text) === undefined) {
      return unchanged;
    }
    const sealed = await this.sealer.seal(familyId, text as unknown as FamilyEvent);
    return {
      intent: { ...intent, reason: freeTextOf(sealed.event) } as FamilyIntent,
      commit: sealed.commit,
    };
  }

  private idempotentAnswer(
    familyId: string,
    stored: RecordedEvent,
    requested: FamilyEvent,
  ): Recorded {
    if (!isSameRecord(asDomain(stored), requested)) throw new DuplicateEventIdError(stored.id);
    return answer(familyId, stored);
  }
}

/** A stored event as the decider folds it: upcast (`familyEventOf`). */
const asDomain = (e: RecordedEvent) => familyEventOf(e);

/** How `POST /v1/families` names a referral's fields (`referral.source`, `programme`). */
const referralField = (field: string) =>
  field === 'programme' || field === 'authority' ? field : `referral.${field}`;

const answer = (familyId: string, e: RecordedEvent): Recorded => ({
  familyId,
  eventId: e.id,
  revision: Number(e.revision),
  position: e.position.toString(),
});
