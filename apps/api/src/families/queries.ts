import { FamilyMember } from '@app/domain';
import { decodeKeyset, encodeKeyset } from '@app/recording';
import {
  FamilyRow,
  familyTimeline,
  findFamily,
  listFamilies,
  memberEvents,
} from '@app/read-models';
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
    const row = await findFamily(this.db, familyId);
    if (!row) return undefined;
    return { ...toView(row), members: await this.members(familyId) };
  }

  /** Members from the timeline (the latest details of each win), opened at read time. */
  private async members(familyId: string): Promise<MemberView[]> {
    const rows = await memberEvents(this.db, familyId);
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
    const rows = await familyTimeline(this.db, familyId);
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
    // One more than a page: whether there is a next one.
    const rows = await listFamilies(this.db, filter, limit + 1, after);
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
