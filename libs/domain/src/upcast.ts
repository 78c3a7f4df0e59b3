/**
 * The upcaster: a stored family event as the current code reads it. Every reader of stored events
 * goes through it — the write path's fold (`@app/recording`), the projections (`allProjections` in
 * @app/read-models) and the "as at" folds and returns (the timeline's reads) — so an old stream
 * counts exactly as a new one would.
 *
 * What it changes: coded values written in another case (`"FIP"`, `"Police"`, `["ASB"]`) read as
 * their code (`codes/coded-fields.ts`). Consent's schema 1 is read by `consentPurposesOf`.
 */
import { upcastCodes } from './codes/coded-fields';
import { FamilyEvent } from './events';

/** `event` with its payload upcast: the same object when nothing changes, else a copy. */
export function upcastFamilyEvent<E extends { type: string; data: unknown }>(event: E): E {
  const data = upcastCodes(event.type, event.data);
  return data === event.data ? event : { ...event, data };
}

/** A stored event (its type and payload) as a domain event, upcast. */
export const familyEventOf = (stored: { type: string; data: unknown }): FamilyEvent =>
  upcastFamilyEvent({ type: stored.type, data: stored.data }) as unknown as FamilyEvent;
