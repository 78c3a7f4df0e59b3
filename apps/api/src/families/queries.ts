import { FamilyMember } from '@app/domain';
import { decodeKeyset, encodeKeyset } from '@app/recording';
import { PersonalDataVault } from '@app/security';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';

/** A family as the `families` read model has it: current episode, status, key worker, dates. */
export interface FamilyView {
  familyId: string;
  authority: string;
  programme: string;
  status: string;
  keyWorker: string | null;
  movedTo: string | null;
  revision: number;
  /** Every member named so far, with their details opened (`{erased: true}` after erasure). */
  members?: MemberView[];
  episode: {
    number: number;
    status: string;
    referredAt: string;
    offeredAt: string | null;
    acceptedAt: string | null;
    supportPlanAgreedAt: string | null;
    refusedAt: string | null;
    refusalStage: string | null;
    exitedAt: string | null;
    exitType: string | null;
    followUp: string;
  };
}

interface FamilyRow {
  family_id: string;
  authority: string;
  programme: string;
  status: string;
  episode: number;
  key_worker: string | null;
  referred_at: Date;
  offered_at: Date | null;
  accepted_at: Date | null;
  support_plan_agreed_at: Date | null;
  refused_at: Date | null;
  refusal_stage: string | null;
  exited_at: Date | null;
  exit_type: string | null;
  follow_up: string;
  moved_to: string | null;
  revision: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toView = (r: FamilyRow): FamilyView => ({
  familyId: r.family_id,
  authority: r.authority,
  programme: r.programme,
  status: r.status,
  keyWorker: r.key_worker,
  movedTo: r.moved_to,
  revision: Number(r.revision),
  episode: {
    number: r.episode,
    status: r.status,
    referredAt: r.referred_at.toISOString(),
    offeredAt: iso(r.offered_at),
    acceptedAt: iso(r.accepted_at),
    supportPlanAgreedAt: iso(r.support_plan_agreed_at),
    refusedAt: iso(r.refused_at),
    refusalStage: r.refusal_stage,
    exitedAt: iso(r.exited_at),
    exitType: r.exit_type,
    followUp: r.follow_up,
  },
});

const FAMILY_COLUMNS = `family_id, authority, programme, status, episode, key_worker, referred_at,
  offered_at, accepted_at, support_plan_agreed_at, refused_at, refusal_stage, exited_at, exit_type,
  follow_up, moved_to, revision`;

export interface MemberView {
  memberId: string;
  role: string;
  details?: Record<string, unknown>;
}

export class GetFamily {
  constructor(readonly familyId: string) {}
}

@QueryHandler(GetFamily)
export class GetFamilyHandler implements IQueryHandler<GetFamily, FamilyView | undefined> {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PersonalDataVault,
  ) {}

  async execute({ familyId }: GetFamily): Promise<FamilyView | undefined> {
    const rows = (await this.db.query(
      `SELECT ${FAMILY_COLUMNS} FROM families WHERE family_id = $1`,
      [familyId],
    )) as FamilyRow[];
    if (!rows[0]) return undefined;
    return { ...toView(rows[0]), members: await this.members(familyId) };
  }

  /** Members from the timeline (the latest details of each win), opened at read time. */
  private async members(familyId: string): Promise<MemberView[]> {
    const rows = (await this.db.query(
      `SELECT type, data FROM family_timeline
       WHERE family_id = $1 AND type IN ('FamilyReferred', 'MemberDetailsRecorded')
       ORDER BY position`,
      [familyId],
    )) as { type: string; data: Record<string, unknown> }[];
    const members = new Map<string, FamilyMember>();
    for (const row of await this.vault.reveal(familyId, rows)) {
      const named =
        row.type === 'FamilyReferred'
          ? ((row.data.members as FamilyMember[] | undefined) ?? [])
          : [row.data as unknown as FamilyMember];
      for (const { memberId, role, details } of named) {
        const known = members.get(memberId);
        members.set(memberId, {
          memberId,
          role,
          ...((details ?? known?.details) ? { details: details ?? known?.details } : {}),
        });
      }
    }
    return [...members.values()] as MemberView[];
  }
}

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  revision: number;
  position: string;
  data: Record<string, unknown>;
}

export class GetTimeline {
  constructor(readonly familyId: string) {}
}

@QueryHandler(GetTimeline)
export class GetTimelineHandler implements IQueryHandler<GetTimeline, TimelineEntry[]> {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PersonalDataVault,
  ) {}

  async execute({ familyId }: GetTimeline): Promise<TimelineEntry[]> {
    const rows = (await this.db.query(
      `SELECT event_id, type, occurred_at, recorded_at, revision, position, data
       FROM family_timeline WHERE family_id = $1 ORDER BY occurred_at, position`,
      [familyId],
    )) as {
      event_id: string;
      type: string;
      occurred_at: Date;
      recorded_at: Date;
      revision: string;
      position: string;
      data: Record<string, unknown>;
    }[];
    // The read model holds details sealed; they are opened here, for this caller only.
    const revealed = await this.vault.reveal(familyId, rows);
    return revealed.map((r) => ({
      eventId: r.event_id,
      type: r.type,
      occurredAt: r.occurred_at.toISOString(),
      recordedAt: r.recorded_at.toISOString(),
      revision: Number(r.revision),
      position: r.position,
      data: r.data,
    }));
  }
}

export class ListFamilies {
  constructor(
    readonly filter: {
      authority?: string;
      programme?: string;
      status?: string;
      keyWorker?: string;
    },
    readonly limit: number,
    /** Opaque cursor from the previous page. */
    readonly after?: { referredAt: string; familyId: string },
  ) {}
}

export interface FamilyPage {
  items: FamilyView[];
  nextCursor: string | null;
}

export const encodeCursor = (c: { referredAt: string; familyId: string }) =>
  encodeKeyset(c.referredAt, c.familyId);

export function decodeCursor(cursor: string): { referredAt: string; familyId: string } | undefined {
  const keyset = decodeKeyset(cursor);
  return keyset && { referredAt: keyset[0], familyId: keyset[1] };
}

/** Newest referrals first; keyset pagination so deep pages cost the same as the first. */
@QueryHandler(ListFamilies)
export class ListFamiliesHandler implements IQueryHandler<ListFamilies, FamilyPage> {
  constructor(private readonly db: DataSource) {}

  async execute({ filter, limit, after }: ListFamilies): Promise<FamilyPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.authority) add('authority = ?', filter.authority);
    if (filter.programme) add('programme = ?', filter.programme);
    if (filter.status) add('status = ?', filter.status);
    if (filter.keyWorker) add('key_worker = ?', filter.keyWorker);
    if (after) {
      params.push(after.referredAt, after.familyId);
      where.push(`(referred_at, family_id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const rows = (await this.db.query(
      `SELECT ${FAMILY_COLUMNS} FROM families
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY referred_at DESC, family_id DESC LIMIT $${params.length}`,
      params,
    )) as FamilyRow[];
    const items = rows.slice(0, limit).map(toView);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ referredAt: last.episode.referredAt, familyId: last.familyId })
          : null,
    };
  }
}
