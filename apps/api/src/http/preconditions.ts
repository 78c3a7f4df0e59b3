import { WrongExpectedRevisionError } from '@app/event-store';
import { HttpException } from '@nestjs/common';
import { RequestInvalid } from '@app/recording';
import { validate as isUuid, v5 } from 'uuid';

/**
 * HTTP's own forms of what a write body can also say: `If-Match` for `expectedRevision` (RFC 9110
 * §13.1.1, the revision as a strong entity tag, as the family read's `ETag` gives it) and
 * `Idempotency-Key` for the event `id`. When both forms are given they must agree (else 400).
 */

/** The entity tag of a family at `revision`: strong, as If-Match compares strongly. */
export const etagOf = (revision: number) => `"${revision}"`;

/**
 * The revision an `If-Match` header names: undefined when absent or `*` (any current revision).
 * A weak tag, a list or anything else is a 400 naming the header: it cannot match a revision.
 */
export function revisionOfIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*"(0|[1-9]\d{0,15})"\s*$/.exec(header);
  const revision = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(revision)) {
    throw new RequestInvalid([
      {
        field: 'If-Match',
        rule: 'isRevisionTag',
        message: 'If-Match must be one strong entity tag holding a revision, e.g. "3" (or *)',
      },
    ]);
  }
  return revision;
}

/** The expected revision of a write: the body's, the header's, or both when they agree. */
export function expectedRevisionOf(
  body: number | undefined,
  ifMatch: string | undefined,
): { expectedRevision?: number; conditional: boolean } {
  const header = revisionOfIfMatch(ifMatch);
  if (header !== undefined && body !== undefined && header !== body) {
    throw new RequestInvalid([
      {
        field: 'If-Match',
        rule: 'matchesExpectedRevision',
        message: `If-Match names revision ${header} but expectedRevision is ${body}`,
      },
    ]);
  }
  return { expectedRevision: header ?? body, conditional: header !== undefined };
}

// Fixed namespaces (RFC 9562 name-based ids) for ids derived from an Idempotency-Key.
const EVENT_NAMESPACE = 'b7a1f0de-5c1e-4f5e-9a43-0f5d2f1c9e61';
const FAMILY_NAMESPACE = 'd3c2b1a0-6f7e-4d8c-9b0a-1e2f3a4b5c6d';

/**
 * An `Idempotency-Key` (a UUID, or 1–255 printable ASCII characters, optionally quoted as a
 * structured-field string) as the ids of a write. A UUID key is the event id itself; any other key
 * names one for this caller only (ids derived from the caller and the key, so two callers' "1"
 * differ). `familyId` is the id a referral without one gets, so a retried referral finds its family.
 */
export function idempotencyIds(
  header: string | undefined,
  caller: string,
): { eventId: string; familyId: string } | undefined {
  if (header === undefined) return undefined;
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!/^[\x20-\x7e]{1,255}$/.test(key) || !key.trim()) {
    throw new RequestInvalid([
      {
        field: 'Idempotency-Key',
        rule: 'isIdempotencyKey',
        message: 'Idempotency-Key must be 1 to 255 printable ASCII characters (a UUID is best)',
      },
    ]);
  }
  const name = `${caller}\n${key}`;
  return {
    eventId: isUuid(key) ? key.toLowerCase() : v5(name, EVENT_NAMESPACE),
    familyId: v5(name, FAMILY_NAMESPACE),
  };
}

/** The event id of a write: the body's `id`, the key's, or both when they agree. */
export function eventIdOf(
  bodyId: string | undefined,
  key: { eventId: string } | undefined,
): string | undefined {
  if (key && bodyId !== undefined && bodyId.toLowerCase() !== key.eventId) {
    throw new RequestInvalid([
      {
        field: 'Idempotency-Key',
        rule: 'matchesId',
        message: 'Idempotency-Key and the body id name different events; send one, or the same',
      },
    ]);
  }
  return bodyId ?? key?.eventId;
}

/**
 * Runs a conditional write: when the revision came from `If-Match`, a stale one is 412 Precondition
 * Failed (RFC 9110 §13.1.1); from the body alone it stays the API's 409 revision_conflict.
 */
export async function conditionally<T>(conditional: boolean, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!conditional || !(error instanceof WrongExpectedRevisionError)) throw error;
    const revision = (r: unknown) => (typeof r === 'bigint' ? Number(r) : null);
    throw new HttpException(
      {
        code: 'revision_conflict',
        message: `If-Match names revision ${revision(error.expected)}, but the family is at ${
          revision(error.actual) ?? 'no revision'
        }: read it again`,
        expectedRevision: revision(error.expected),
        actualRevision: revision(error.actual),
      },
      412,
    );
  }
}
