import { createHash } from 'node:crypto';

/** Namespace of every name-based id this library derives (any fixed UUID will do; never change it). */
const NAMESPACE = '6f1c8a52-3b0e-4f7a-9d55-0c2f0b7e91a4';

/** RFC 4122 version 5 (SHA-1, name-based) UUID: the same name always gives the same id. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One revisit per family episode: every part of the system derives the same id. */
export const followUpId = (familyId: string, episode: number) =>
  uuidV5(`follow-up:${familyId}:${episode}`);

/**
 * Event ids of what the system itself records about a follow-up, so that a replayed sweep, a job
 * firing twice or a second worker appends the same id and the event store keeps it once.
 */
export const followUpEventId = (id: string, step: 'scheduled' | 'due' | 'cancelled') =>
  uuidV5(`follow-up-event:${id}:${step}`);
