import { randomUUID } from 'node:crypto';
import { FamilyEvent, SCHEMA_VERSIONS } from '@app/domain';
import { NewEvent } from '@app/event-store';

/** A small, valid family history (referral to exit), varied by `i`, as events ready to append. */
export function storyOf(i: number): NewEvent[] {
  const day = (d: number) => new Date(Date.UTC(2024, 0, 1 + (i % 200) + d)).toISOString();
  const events: FamilyEvent[] = [
    {
      type: 'FamilyReferred',
      data: {
        occurredAt: day(0),
        authority: `la-${i % 5}`,
        programme: 'fip',
        source: 'police',
        reasons: ['asb'],
      },
    },
    { type: 'InterventionOffered', data: { occurredAt: day(3) } },
    { type: 'InterventionAccepted', data: { occurredAt: day(5) } },
    { type: 'KeyWorkerAssigned', data: { occurredAt: day(6), workerId: `kw-${i % 7}` } },
    {
      type: 'SupportPlanAgreed',
      data: { occurredAt: day(10), domains: ['asb'], plannedWeeklyHours: 9 },
    },
    { type: 'ReviewHeld', data: { occurredAt: day(40), weeklyContactHours: 8 } },
    {
      type: 'AsbIncidentRecorded',
      data: { occurredAt: day(50), asbType: 'noise', sourceAgency: 'police' },
    },
    { type: 'ReviewHeld', data: { occurredAt: day(90), weeklyContactHours: 6 } },
    {
      type: 'FamilyExited',
      data: { occurredAt: day(200), exitType: i % 3 ? 'planned' : 'disengaged' },
    },
  ];
  return toAppend(events, { authority: `la-${i % 5}`, recordedAt: day(201) });
}

/** Domain events as the store takes them: fresh ids, and the metadata the write path would add. */
export function toAppend(
  events: FamilyEvent[],
  { authority, recordedAt = new Date().toISOString() }: { authority: string; recordedAt?: string },
): NewEvent[] {
  return events.map((e) => ({
    id: randomUUID(),
    type: e.type,
    data: e.data as unknown as Record<string, unknown>,
    metadata: {
      recordedAt,
      actor: 'test',
      authority,
      correlationId: randomUUID(),
      schemaVersion: SCHEMA_VERSIONS[e.type],
    },
  }));
}

/** The body of `POST /v1/families`: a police referral for ASB into `authority`, plus `extra`. */
export const referralBody = (authority: string, extra: Record<string, unknown> = {}) => ({
  authority,
  programme: 'fip',
  referral: { source: 'police', reasons: ['asb'], occurredAt: '2025-01-10' },
  ...extra,
});
