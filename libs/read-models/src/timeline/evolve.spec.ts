import { FAMILY_STREAM_PREFIX } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { TimelineRecord, timelineAsAt, timelineRecord } from './evolve';

/**
 * The timeline read model specified like the decider: given the events stored so far, when one
 * more is stored, then the family's timeline is this (in the order the API reads it); the "as at"
 * fold at the position before the `when` event gives the given timeline.
 */
const FAMILY = '0e0e0e0e-0000-4000-8000-000000000001';
const OTHER = '0e0e0e0e-0000-4000-8000-000000000002';

let position = 0n;
const stored = (type: string, occurredAt: string, family = FAMILY): RecordedEvent =>
  ({
    id: `00000000-0000-4000-8000-${String(++position).padStart(12, '0')}`,
    streamId: `${FAMILY_STREAM_PREFIX}${family}`,
    revision: position,
    position,
    type,
    data: { occurredAt },
    metadata: { recordedAt: '2026-01-01T00:00:00.000Z' },
  }) as unknown as RecordedEvent;

function given(...history: RecordedEvent[]) {
  return {
    when(event: RecordedEvent) {
      return {
        then(expected: [type: string, occurredAt: string][]) {
          const all = [...history, event];
          const timeline = timelineAsAt(all, FAMILY, event.position);
          expect(timeline.map((r) => [r.type, r.occurred_at])).toEqual(expected);
          const before = history.length ? history[history.length - 1].position : 0n;
          expect(timelineAsAt(all, FAMILY, before)).toEqual(timelineAsAt(history, FAMILY, before));
        },
      };
    },
  };
}

describe('timeline evolve', () => {
  it('an event makes one row, as it was stored', () => {
    const e = stored('FamilyReferred', '2025-01-10T00:00:00.000Z');
    expect(timelineRecord(e)).toEqual<TimelineRecord>({
      position: String(e.position),
      event_id: e.id,
      family_id: FAMILY,
      revision: String(e.revision),
      type: 'FamilyReferred',
      occurred_at: '2025-01-10T00:00:00.000Z',
      recorded_at: '2026-01-01T00:00:00.000Z',
      data: { occurredAt: '2025-01-10T00:00:00.000Z' },
    });
  });

  it('a later event comes after the earlier ones', () => {
    given(stored('FamilyReferred', '2025-01-10T00:00:00.000Z'))
      .when(stored('InterventionOffered', '2025-01-20T00:00:00.000Z'))
      .then([
        ['FamilyReferred', '2025-01-10T00:00:00.000Z'],
        ['InterventionOffered', '2025-01-20T00:00:00.000Z'],
      ]);
  });

  it('an event recorded late takes its place by when it happened', () => {
    given(
      stored('FamilyReferred', '2025-01-10T00:00:00.000Z'),
      stored('InterventionAccepted', '2025-01-25T00:00:00.000Z'),
    )
      .when(stored('InterventionOffered', '2025-01-20T00:00:00.000Z'))
      .then([
        ['FamilyReferred', '2025-01-10T00:00:00.000Z'],
        ['InterventionOffered', '2025-01-20T00:00:00.000Z'],
        ['InterventionAccepted', '2025-01-25T00:00:00.000Z'],
      ]);
  });

  it('events that happened at the same time stay in the order they were stored', () => {
    given(stored('FamilyReferred', '2025-01-10T00:00:00.000Z'))
      .when(stored('MemberDetailsRecorded', '2025-01-10T00:00:00.000Z'))
      .then([
        ['FamilyReferred', '2025-01-10T00:00:00.000Z'],
        ['MemberDetailsRecorded', '2025-01-10T00:00:00.000Z'],
      ]);
  });

  it('another family’s events are not in this family’s timeline', () => {
    given(stored('FamilyReferred', '2025-01-10T00:00:00.000Z'))
      .when(stored('FamilyReferred', '2025-01-05T00:00:00.000Z', OTHER))
      .then([['FamilyReferred', '2025-01-10T00:00:00.000Z']]);
  });
});

describe('timeline as at a position', () => {
  it('leaves out the events stored after it, whenever they happened', () => {
    const referred = stored('FamilyReferred', '2025-01-10T00:00:00.000Z');
    const late = stored('InterventionOffered', '2025-01-05T00:00:00.000Z');
    expect(timelineAsAt([referred, late], FAMILY, referred.position).map((r) => r.type)).toEqual([
      'FamilyReferred',
    ]);
    expect(timelineAsAt([referred, late], FAMILY, late.position).map((r) => r.type)).toEqual([
      'InterventionOffered',
      'FamilyReferred',
    ]);
  });
});
