import { Clock, CodeLists, intentEventType } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { FamilyRecorder, RecordRequest, Recorded } from '@app/recording';
import { PersonalDataVault } from '@app/security';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CLOCK } from '../clock';
import { CODE_LISTS } from './code-lists.module';
import { Metrics } from '../metrics/metrics';

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
    private readonly metrics: Metrics,
    @Inject(CODE_LISTS) codes: CodeLists,
  ) {
    this.recorder = new FamilyRecorder(store, clock, vault, codes);
  }

  async execute({ request }: RecordFamilyEventCommand): Promise<Recorded> {
    const recorded = await this.recorder.record(request);
    this.metrics.eventsRecorded.inc({
      type: request.event?.type ?? intentEventType(request.intent!),
    });
    return recorded;
  }
}
