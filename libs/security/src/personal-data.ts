import { hkdfSync, randomUUID } from 'node:crypto';
import {
  FamilyEvent,
  PersonalDetails,
  SealedDetails,
  freeTextOf,
  isSealed,
  memberDetailsOf,
} from '@app/domain';
import { AppConfig, loadConfig } from '@app/config';
import { DataSource, EntityManager } from 'typeorm';
import {
  DataKey,
  PersonalDataError,
  newDataKey,
  openDetails,
  parseMasterKey,
  sealDetails,
  unwrapKey,
  wrapKey,
} from './pii-crypto';
import { readOrCreate } from './secret';

/**
 * The master key that wraps every family's data key: `PII_MASTER_KEY` (32 bytes, hex or base64).
 * Production (`NODE_ENV=production`) refuses to start without it. Elsewhere a random key is made
 * once in a file only this user can read (`PII_DEV_KEY_FILE`, per user, per machine; as for the
 * token key), never a well-known default that would open every install's personal data.
 */
export function masterKeyFrom(config: Pick<AppConfig, 'personalData' | 'production'>): Buffer {
  const { masterKey, devKeyFile } = config.personalData;
  if (masterKey) return parseMasterKey(masterKey);
  if (config.production) {
    throw new PersonalDataError('PII_MASTER_KEY must be set in production (NODE_ENV=production)');
  }
  return parseMasterKey(readOrCreate(devKeyFile));
}

/** What an erased (or otherwise keyless) member's details read as. */
export interface ErasedDetails {
  erased: true;
}

/** A new key is written only just before the event that first uses it is appended. */
export interface SealedEvent {
  event: FamilyEvent;
  commit(): Promise<void>;
}

/** Another writer created the family's key first: decide again with it. */
export class FamilyKeyRace extends Error {
  override readonly name = 'FamilyKeyRace';
}

/**
 * Personal data of families: seals clear details with the family's data key on the way in, opens
 * them on the way out, and erases a family by destroying its key. Keys live in `family_keys`,
 * wrapped with the master key.
 */
export class PersonalDataVault {
  constructor(
    private readonly db: DataSource | EntityManager,
    // The apps pass the key read at start-up; tests and scripts get the configured one.
    private readonly master: Buffer = masterKeyFrom(loadConfig()),
  ) {}

  /** The family's data key, or undefined if it has none (never had details, or erased). */
  async keyOf(familyId: string): Promise<DataKey | undefined> {
    const rows = (await this.db.query(
      'SELECT key_id, wrapped_key FROM family_keys WHERE family_id = $1',
      [familyId],
    )) as { key_id: string; wrapped_key: string }[];
    return rows[0] && unwrapKey(this.master, familyId, rows[0].key_id, rows[0].wrapped_key);
  }

  /**
   * Replaces every clear `details` of the event by a seal under the family's key (a new key, kept
   * in memory until `commit()`, if the family has none). Events without details cost nothing.
   */
  async seal(familyId: string, event: FamilyEvent): Promise<SealedEvent> {
    const clear = hasClearDetails(event);
    if (!clear) return { event, commit: async () => {} };
    const existing = await this.keyOf(familyId);
    const key = existing ?? newDataKey(randomUUID());
    const sealOne = (memberId: string, details: unknown) =>
      isSealed(details)
        ? details
        : sealDetails(key, familyId, memberId, details as PersonalDetails);
    const sealText = (text: unknown) =>
      isSealed(text) ? text : sealDetails(key, familyId, FREE_TEXT_SLOT, { note: text } as never);
    const sealed = mapFreeText(mapDetails(event, sealOne), sealText);
    return {
      event: sealed,
      commit: async () => {
        if (existing) return;
        const inserted = (await this.db.query(
          `INSERT INTO family_keys (family_id, key_id, wrapped_key) VALUES ($1, $2, $3)
           ON CONFLICT (family_id) DO NOTHING RETURNING family_id`,
          [familyId, key.keyId, wrapKey(this.master, familyId, key)],
        )) as unknown[];
        if (!inserted.length) throw new FamilyKeyRace(`family ${familyId} got a key meanwhile`);
      },
    };
  }

  /**
   * The event's data with every sealed detail opened, or `{erased: true}` once the key is gone.
   * `key` may be passed when opening many events of one family.
   */
  async reveal<T extends { type: string; data: Record<string, unknown> }>(
    familyId: string,
    events: T[],
  ): Promise<T[]> {
    if (!events.some((e) => memberDetailsOf(e).length || freeTextOf(e) !== undefined)) {
      return events;
    }
    const key = await this.keyOf(familyId);
    const open = (memberId: string, details: unknown): PersonalDetails | ErasedDetails =>
      key && isSealed(details) ? openDetails(key, familyId, memberId, details) : { erased: true };
    const openText = (text: unknown): string | ErasedDetails => {
      if (!isSealed(text)) return typeof text === 'string' ? text : { erased: true };
      if (!key) return { erased: true };
      return (openDetails(key, familyId, FREE_TEXT_SLOT, text) as { note?: unknown })
        .note as string;
    };
    return events.map(
      (e) => mapFreeText(mapDetails(e as unknown as FamilyEvent, open), openText) as unknown as T,
    );
  }

  /** Crypto-shredding: deletes the family's key. True if there was one. */
  async destroy(familyId: string): Promise<boolean> {
    const deleted = (await this.db.query(
      'DELETE FROM family_keys WHERE family_id = $1 RETURNING family_id',
      [familyId],
    )) as [unknown[], number] | unknown[];
    const rows = Array.isArray(deleted[0]) ? (deleted[0] as unknown[]) : deleted;
    return rows.length > 0;
  }

  /**
   * Seals an authority's free-text note (a programme cost's `note`: free text may name a person)
   * for storing: bound to the authority by its key and to `slot` (the row it belongs to), so it
   * cannot be opened as another authority's or another row's. The key is the authority's own,
   * derived from the master key: such a note belongs to no family, and the row it sits in is
   * replaced, not appended to, so replacing the note is what erases it.
   */
  sealAuthorityNote(authority: string, slot: string, note: string): string {
    const sealed = sealDetails(this.noteKey(authority), `authority:${authority}`, slot, {
      note,
    } as PersonalDetails);
    return JSON.stringify(sealed);
  }

  /** A note as stored, opened; a note stored in clear (before notes were sealed) as it is. */
  openAuthorityNote(authority: string, slot: string, stored: string | null): string | null {
    if (stored === null) return null;
    let sealed: unknown;
    try {
      sealed = JSON.parse(stored);
    } catch {
      return stored;
    }
    if (!isSealed(sealed)) return stored;
    const opened = openDetails(this.noteKey(authority), `authority:${authority}`, slot, sealed);
    return (opened as { note?: unknown }).note as string;
  }

  private noteKey(authority: string): DataKey {
    const info = `authority-note|${authority}`;
    return {
      keyId: 'authority-note/1',
      key: Buffer.from(hkdfSync('sha256', this.master, '', info, 32)),
    };
  }
}

type Details = SealedDetails | PersonalDetails | ErasedDetails | undefined;

const hasClearDetails = (event: FamilyEvent) =>
  memberDetailsOf(event).some((d) => !isSealed(d)) ||
  (freeTextOf(event) !== undefined && !isSealed(freeTextOf(event)));

/** Where free text is sealed: bound to its family and to this slot, apart from any member's. */
const FREE_TEXT_SLOT = 'free-text:reason';

/** The event with its free text (`reason`) replaced by `change(text)`. */
function mapFreeText(event: FamilyEvent, change: (text: unknown) => unknown): FamilyEvent {
  const text = freeTextOf(event);
  if (text === undefined) return event;
  return { ...event, data: { ...event.data, reason: change(text) } } as FamilyEvent;
}

/** The event with each member's `details` replaced by `change(memberId, details)`. */
function mapDetails(
  event: FamilyEvent,
  change: (memberId: string, d: unknown) => Details,
): FamilyEvent {
  if (event.type === 'FamilyReferred' && event.data.members) {
    const members = event.data.members.map((m) =>
      m.details === undefined ? m : { ...m, details: change(m.memberId, m.details) },
    );
    return { ...event, data: { ...event.data, members } } as FamilyEvent;
  }
  if (event.type === 'MemberDetailsRecorded') {
    const details = change(event.data.memberId, event.data.details);
    return { ...event, data: { ...event.data, details } } as FamilyEvent;
  }
  return event;
}

/**
 * The secret of cell-key perturbation's record keys (issue 14): `CELL_KEY_SECRET`, or else derived
 * from the personal-data master key (HKDF-SHA-256 under its own label, so it reveals nothing of
 * the master key and is never the same bytes). Either way it is fixed for a deployment: the same
 * families always get the same keys, so a figure asked twice, or a return rebuilt at a position,
 * is perturbed the same way. Without it the keys cannot be computed.
 */
export function cellKeySecretFrom(
  config: Pick<AppConfig, 'personalData' | 'production' | 'cellKeySecret'>,
): Buffer {
  if (config.cellKeySecret) return Buffer.from(config.cellKeySecret, 'utf8');
  return Buffer.from(
    hkdfSync('sha256', masterKeyFrom(config), Buffer.alloc(0), 'outcomes-ledger/cell-key/v1', 32),
  );
}
