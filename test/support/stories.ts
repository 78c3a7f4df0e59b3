import { randomUUID } from 'node:crypto';
import { FamilyEvent, SCHEMA_VERSIONS } from '@app/domain';
import { NewEvent } from '@app/event-store';
import type { Harness } from './harness';

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

/**
 * The body of `POST /v1/families`: a police referral for ASB into `authority` on 2025-01-10, plus
 * `extra` at the top level and `referral` over the referral's own fields.
 */
export const referralBody = (
  authority: string,
  extra: Record<string, unknown> = {},
  referral: Record<string, unknown> = {},
) => ({
  authority,
  programme: 'fip',
  referral: { source: 'police', reasons: ['asb'], occurredAt: '2025-01-10', ...referral },
  ...extra,
});

/** What a spec needs of the harness to write over HTTP and wait for the read models. */
type Writer = Pick<Harness, 'http' | 'caughtUp'>;

/**
 * Refers a family over HTTP as `headers` (`201` expected) and waits until the read models include
 * it. Returns the answer's body: `familyId`, `revision`, `position`.
 */
export async function referFamily(
  h: Writer,
  headers: Record<string, string>,
  body: object,
): Promise<{ familyId: string; revision: number; position: string }> {
  const res = await h.http.post('/v1/families').set(headers).send(body);
  expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 201 });
  await h.caughtUp(res.body.position as string);
  return res.body as { familyId: string; revision: number; position: string };
}

/** One `POST /v1/families/{id}/events` body. */
export interface EventBody {
  type: string;
  occurredAt: string;
  data?: Record<string, unknown>;
  [more: string]: unknown;
}

/**
 * Records `events` on a family over HTTP as `headers`, one request each and in order (`201`
 * expected for each), then waits until the read models include the last. Returns its position.
 */
export async function recordEvents(
  h: Writer,
  headers: Record<string, string>,
  familyId: string,
  events: EventBody[],
): Promise<string> {
  let position = '';
  for (const event of events) {
    const res = await h.http
      .post(`/v1/families/${familyId}/events`)
      .set(headers)
      .send({ data: {}, ...event });
    expect({ type: event.type, status: res.status, body: res.body as unknown }).toMatchObject({
      status: 201,
    });
    position = res.body.position as string;
  }
  if (position) await h.caughtUp(position);
  return position;
}

/**
 * A family through to a planned exit at `exitAt` (ms), over HTTP as `headers`: referred 300 days
 * before, offered (290), accepted (280), its key worker assigned (279) if given, then `before`
 * (events of the spec's own), then exited. Waits for the read models; returns the family's id.
 */
export async function plannedExitFamily(
  h: Writer,
  headers: Record<string, string>,
  authority: string,
  exitAt: number,
  { keyWorker, before = [] }: { keyWorker?: string; before?: EventBody[] } = {},
): Promise<string> {
  const daysBefore = (days: number) => new Date(exitAt - days * 86_400_000).toISOString();
  const { familyId } = await referFamily(
    h,
    headers,
    referralBody(authority, {}, { occurredAt: daysBefore(300) }),
  );
  await recordEvents(h, headers, familyId, [
    { type: 'InterventionOffered', occurredAt: daysBefore(290) },
    { type: 'InterventionAccepted', occurredAt: daysBefore(280) },
    ...(keyWorker
      ? [{ type: 'KeyWorkerAssigned', occurredAt: daysBefore(279), data: { workerId: keyWorker } }]
      : []),
    ...before,
    { type: 'FamilyExited', occurredAt: daysBefore(0), data: { exitType: 'planned' } },
  ]);
  return familyId;
}
