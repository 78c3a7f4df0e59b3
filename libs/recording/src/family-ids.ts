import { familyStreamId } from '@app/domain';
import { EventStore } from '@app/event-store';
import { v5 } from 'uuid';

/**
 * The namespace of family ids held inside an authority (name-based UUIDs, RFC 4122 §4.3, SHA-1).
 * Fixed for good: changing it would lose every family stored under a derived id.
 */
export const AUTHORITY_FAMILY_NAMESPACE = '4554325b-6143-4de1-a428-022110e8e6b8';

/** The stored id of the family an authority refers to as `familyId` when that id is not its own. */
export const ownFamilyId = (authority: string, familyId: string): string =>
  v5(`${authority}\u0000${familyId}`, AUTHORITY_FAMILY_NAMESPACE);

/**
 * Which stored family a caller means by a family id: a client's family id is a key inside the
 * caller's authority, so another authority's family can never be reached, nor its existence told
 * apart from an id nobody holds.
 *
 * - `holder`: the authority of the family stored under `familyId` now (`undefined`: none is).
 * - A family id nobody holds, or one the caller's authority holds, is stored as it is (every id
 *   recorded before this rule keeps its id: no migration).
 * - An id another authority holds means the caller's own family under `ownFamilyId(caller, id)`:
 *   a referral creates it (201, as for an unknown id), any other request finds none (404).
 * - National and trusted callers (`caller` not a string) name stored ids directly.
 */
export function storedFamilyId(
  caller: string | null | undefined,
  familyId: string,
  holder: string | undefined,
): string {
  if (typeof caller !== 'string' || holder === undefined || holder === caller) return familyId;
  return ownFamilyId(caller, familyId);
}

/** A name-based (version 5) UUID: the shape of every derived id (clients' ids are mostly v4). */
const mayBeDerived = (id: string) => id.length === 36 && id[14] === '5';

/**
 * The ids families are known by to their authority's clients: a family stored under a derived id
 * (`ownFamilyId`) is named by the id its client gave (`clientFamilyId` in its events' metadata),
 * so a list never shows an id the client did not choose. Other ids are answered as they are.
 */
export async function clientFamilyIds(
  store: Pick<EventStore, 'readStream'>,
  storedIds: string[],
): Promise<Map<string, string>> {
  const named = new Map<string, string>();
  for (const id of new Set(storedIds.filter(mayBeDerived))) {
    const [first] = await store.readStream(familyStreamId(id));
    const client = first?.metadata.clientFamilyId;
    if (typeof client === 'string') named.set(id, client);
  }
  return named;
}
