import { AppendResult, NewEvent, RecordedEvent } from '@app/event-store';

/**
 * The histories of the families written last, least recently written dropped first. Each is an
 * exact prefix of its stream (events never change), so at worst it is stale, never wrong.
 */
export class RecentHistories {
  private readonly kept = new Map<string, RecordedEvent[]>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): RecordedEvent[] | undefined {
    return this.kept.get(streamId);
  }

  delete(streamId: string): void {
    this.kept.delete(streamId);
  }

  /** After an append of one event: its position is known, so the history can be extended. */
  wrote(streamId: string, history: RecordedEvent[], written: NewEvent[], result: AppendResult) {
    this.kept.delete(streamId);
    if (this.capacity <= 0 || written.length !== 1) return;
    const [event] = written;
    this.kept.set(streamId, [
      ...history,
      {
        // As it reads back from the store (JSON), not as it was built.
        ...(JSON.parse(JSON.stringify(event)) as NewEvent),
        streamId,
        revision: result.nextRevision,
        position: result.position,
      },
    ]);
    if (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value!);
  }
}
