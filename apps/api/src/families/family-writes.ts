import { Clock } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { RecordRequest, Recorded } from '@app/recording';
import { Principal } from '@app/security';
import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CLOCK } from '../clock';
import { actorOf } from '../http/actor';
import { RecordFamilyEventCommand } from './record-family-event';

/** A record request but for who asks (`actorOf`) and in which authority (each member of the union). */
type CallerRequest = RecordRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'actor' | 'authority'>
    : never
  : never;

/**
 * What the routes that record on a family's stream share (families, follow-ups, erasure): the
 * command bus, the store and the clock, and how a caller's request becomes a command — the caller
 * as the actor, the caller's authority as the scope the write path checks.
 */
export abstract class FamilyWrites {
  @Inject(CommandBus) protected readonly commands!: CommandBus;
  @Inject(EVENT_STORE) protected readonly store!: EventStore;
  @Inject(CLOCK) protected readonly clock!: Clock;

  /** Sends `request` to the family write path (load, decide, append) as `principal`. */
  protected recordAs(
    principal: Principal,
    correlationId: string,
    request: CallerRequest,
  ): Promise<Recorded> {
    return this.commands.execute<RecordFamilyEventCommand, Recorded>(
      new RecordFamilyEventCommand({
        ...request,
        actor: actorOf(principal, correlationId),
        authority: principal.authority,
      } as RecordRequest),
    );
  }
}
