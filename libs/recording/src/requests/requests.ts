import { FamilyEvent } from '@app/domain';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  Min,
} from 'class-validator';
import { IsEffectiveDate, RequestInvalid, normaliseDate, validated } from './validation';
import {
  DATE_FIELDS,
  FamilyReferredPayload,
  MemberDto,
  PAYLOADS,
  RECORDABLE_TYPES,
  RecordableType,
  withSealableDetails,
} from './event-payloads';

const MAX_REVISION = Number.MAX_SAFE_INTEGER;

/** `POST /v1/families/{familyId}/events` */
export class RecordEventRequest {
  /** Makes retries safe: the same request twice stores one event. */
  @IsOptional() @IsUUID() id?: string;
  @IsIn(RECORDABLE_TYPES, { message: `type must be one of: ${RECORDABLE_TYPES.join(', ')}` })
  type!: RecordableType;
  @IsEffectiveDate() occurredAt!: string;
  @IsObject() data!: Record<string, unknown>;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_REVISION) expectedRevision?: number;
}

/** One item of `POST /v1/events/batch`. */
export class BatchItemRequest extends RecordEventRequest {
  @IsUUID() familyId!: string;
}

/** `POST /v1/events/batch`: items are validated one by one, so one bad item fails alone. */
export class BatchRequest {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) events!: unknown[];
}

/** A validated request to record one event, ready for the decider. */
export interface EventRecording {
  eventId?: string;
  event: FamilyEvent;
  expectedRevision?: number;
}

/** Validates a record-event request, including its `data` against the type's payload. */
export async function parseRecordEvent(body: unknown): Promise<EventRecording> {
  const request = await validated(RecordEventRequest, body);
  return toRecording(request);
}

export async function parseBatchItem(
  body: unknown,
): Promise<EventRecording & { familyId: string }> {
  const request = await validated(BatchItemRequest, body);
  return { ...(await toRecording(request)), familyId: request.familyId };
}

async function toRecording(request: RecordEventRequest): Promise<EventRecording> {
  const payload = await validated(PAYLOADS[request.type], request.data, 'data');
  const data: Record<string, unknown> = {
    ...(request.type === 'MemberDetailsRecorded'
      ? memberDetails(payload as MemberDto)
      : plain(payload)),
    occurredAt: normaliseDate(request.occurredAt),
  };
  // A referral's members carry their details under `details`, to be sealed (as for POST /families).
  const members = (payload as FamilyReferredPayload).members;
  if (request.type === 'FamilyReferred' && members) data.members = members.map(withSealableDetails);
  for (const field of DATE_FIELDS) {
    if (typeof data[field] === 'string') data[field] = normaliseDate(data[field] as string);
  }
  return {
    eventId: request.id,
    event: { type: request.type, data } as unknown as FamilyEvent,
    expectedRevision: request.expectedRevision,
  };
}

/** Turns `POST /v1/families` into a `FamilyReferred` recording. */
export async function parseReferFamily(
  body: unknown,
): Promise<EventRecording & { familyId?: string }> {
  // The referral's own fields and the family's share one payload type in the domain.
  const request = await validated(ReferFamilyRequestEnvelope, body);
  const referral = await validated(ReferralRequestFields, request.referral, 'referral');
  const payload = await validated(FamilyReferredPayload, {
    authority: request.authority,
    programme: request.programme,
    source: referral.source,
    reasons: referral.reasons,
    ...(referral.eligibilityCriteria ? { eligibilityCriteria: referral.eligibilityCriteria } : {}),
    ...(request.members ? { members: request.members } : {}),
  }).catch((e: unknown) => {
    // Name fields as the caller wrote them (`referral.source`, not `source`).
    if (e instanceof RequestInvalid) {
      const top = new Set(['authority', 'programme']);
      throw new RequestInvalid(
        e.errors.map((err) => ({
          ...err,
          field:
            top.has(err.field) || err.field.startsWith('members')
              ? err.field
              : `referral.${err.field}`,
        })),
      );
    }
    throw e;
  });
  const data = plain(payload);
  if (payload.members) data.members = payload.members.map(withSealableDetails);
  return {
    familyId: request.familyId,
    event: {
      type: 'FamilyReferred',
      data: { ...data, occurredAt: normaliseDate(referral.occurredAt) },
    } as FamilyEvent,
  };
}

function memberDetails(payload: MemberDto): Record<string, unknown> {
  const member = withSealableDetails(payload);
  if (!member.details) {
    throw new RequestInvalid([
      {
        field: 'data',
        rule: 'has-details',
        message: 'data must name at least one of name, dateOfBirth, address',
      },
    ]);
  }
  return plain(member);
}

class ReferFamilyRequestEnvelope {
  @IsOptional() @IsUUID() familyId?: string;
  @IsOptional() authority!: unknown;
  @IsOptional() programme!: unknown;
  @IsObject() referral!: Record<string, unknown>;
  @IsOptional() members?: unknown;
}

class ReferralRequestFields {
  @IsEffectiveDate() occurredAt!: string;
  @IsOptional() source!: unknown;
  @IsOptional() reasons!: unknown;
  @IsOptional() eligibilityCriteria?: unknown;
}

const plain = (o: object) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
