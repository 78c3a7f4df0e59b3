import { Clock } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { FamilyRecorder, RecordRequest, Recorded } from '@app/recording';
import { PersonalDataVault } from '@app/security';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK } from '../clock';

export class RecordFamilyEventCommand {
  constructor(readonly request: RecordRequest) {}
}

/** The CommandBus edge of the family write path (`FamilyRecorder`). */
@CommandHandler(RecordFamilyEventCommand)
export class RecordFamilyEventHandler implements ICommandHandler<
  RecordFamilyEventCommand,
  Recorded
> {
  private readonly recorder: FamilyRecorder;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    vault: PersonalDataVault,
  ) {
    this.recorder = new FamilyRecorder(store, clock, vault);
  }

  execute({ request }: RecordFamilyEventCommand): Promise<Recorded> {
    return this.recorder.record(request);
  }
}
