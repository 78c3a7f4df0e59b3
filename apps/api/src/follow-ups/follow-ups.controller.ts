import { Clock, FOLLOW_UP_MISSED_REASONS, FamilyIntent, FollowUpMissedReason } from '@app/domain';
import {
  FollowUpListStatus,
  FollowUpPage,
  FollowUpView,
  decodeFollowUpCursor,
  findFollowUp,
  followUpId as followUpIdOf,
  listFollowUps,
} from '@app/follow-ups';
import { Body, Controller, Get, Inject, NotFoundException, Post, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { CLOCK } from '../clock';
import {
  Code,
  DomainAssessmentPayload,
  IsEffectiveDate,
  RequestInvalid,
  normaliseDate,
  ownFamilyId,
  validated,
} from '@app/recording';
import { FamilyWrites } from '../families/family-writes';
import { CorrelationId } from '../http/correlation';
import { UuidParam } from '../http/validation';
import { Allow, Route, CurrentPrincipal } from '../auth/decorators';
import { Csv, CsvReply, readModelsPosition } from '../http/csv';

import { Principal } from '@app/security';
import { scopedAuthority, sees } from '../auth/scope';
import { followUpsCsv } from './csv';
import { namedForClient } from './client-ids';

const STATUSES: FollowUpListStatus[] = [
  'scheduled',
  'due',
  'overdue',
  'completed',
  'missed',
  'cancelled',
];

class ListFollowUpsQuery {
  @IsOptional() @IsIn(STATUSES) status?: FollowUpListStatus;
  @IsOptional() @Code() authority?: string;
  /** Revisits assigned to this worker. */
  @IsOptional() @Code() assignedWorker?: string;
  /** Revisits of the families this worker is the key worker of now. */
  @IsOptional() @Code() keyWorker?: string;
  @IsOptional() @IsEffectiveDate() dueFrom?: string;
  @IsOptional() @IsEffectiveDate() dueTo?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @IsString() cursor?: string;
}

class AssignRequest {
  @Code() worker!: string;
}

/** The follow-up domain assessment, flat, with the date it was done (default: now). */
class CompleteRequest extends DomainAssessmentPayload {
  @IsOptional() @IsEffectiveDate() occurredAt?: string;
}

class MissedRequest {
  @IsIn(FOLLOW_UP_MISSED_REASONS, {
    message: `reason must be one of: ${FOLLOW_UP_MISSED_REASONS.join(', ')}`,
  })
  reason!: FollowUpMissedReason;
  @IsOptional() @IsEffectiveDate() occurredAt?: string;
}

export class ListFollowUps {
  constructor(
    readonly query: ListFollowUpsQuery,
    readonly limit: number,
    readonly after?: { dueAt: string; followUpId: string },
  ) {}
}

export class GetFollowUp {
  constructor(readonly followUpId: string) {}
}

/** Sorted by due date; `overdue` as at the clock. */
@QueryHandler(ListFollowUps)
export class ListFollowUpsHandler implements IQueryHandler<ListFollowUps, FollowUpPage> {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ query, limit, after }: ListFollowUps): Promise<FollowUpPage> {
    return listFollowUps(
      this.db,
      {
        status: query.status,
        authority: query.authority,
        assignedWorker: query.assignedWorker,
        keyWorker: query.keyWorker,
        dueFrom: query.dueFrom ? new Date(query.dueFrom) : undefined,
        dueTo: query.dueTo ? new Date(query.dueTo) : undefined,
      },
      this.clock.now(),
      limit,
      after,
    );
  }
}

@QueryHandler(GetFollowUp)
export class GetFollowUpHandler implements IQueryHandler<GetFollowUp> {
  constructor(private readonly db: DataSource) {}

  execute({ followUpId }: GetFollowUp) {
    return findFollowUp(this.db, followUpId);
  }
}

@Controller('v1/follow-ups')
export class FollowUpsController extends FamilyWrites {
  @Inject(DataSource) private readonly db!: DataSource;
  constructor(private readonly queries: QueryBus) {
    super();
  }

  /** The working list, as JSON pages or (`Accept: text/csv`) the page as CSV. */
  @Get()
  @Allow('follow-ups:read')
  async list(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
    @Csv() csv: CsvReply,
  ): Promise<FollowUpPage | string> {
    const position = csv.wanted ? await readModelsPosition(this.db, ['follow_ups']) : '';
    const asAt = this.clock.now().toISOString();
    const q = await validated(ListFollowUpsQuery, query);
    q.authority = scopedAuthority(principal, q.authority);
    const after = q.cursor ? decodeFollowUpCursor(q.cursor) : undefined;
    if (q.cursor && !after) {
      throw new RequestInvalid([
        { field: 'cursor', rule: 'isCursor', message: 'cursor is not one this API issued' },
      ]);
    }
    // A cursor names its revisit as the list showed it; the keyset runs on the stored id.
    if (after && principal.authority !== null) {
      const found = await this.locate(after.followUpId, principal);
      if (found) after.followUpId = followUpIdOf(found.familyId, found.episode);
    }
    const listed = await this.queries.execute<ListFollowUps, FollowUpPage>(
      new ListFollowUps(q, q.limit ?? 50, after),
    );
    // An authority's callers see its revisits by the family ids its clients gave.
    const page = principal.authority === null ? listed : await namedForClient(this.store, listed);
    if (!csv.wanted) return page;
    const context = { filters: { ...q }, asAt, position };
    return csv.send(followUpsCsv(page.items, context), page.nextCursor);
  }

  @Route(Post, ':followUpId/assign', 'follow-ups:assign', 404, 409)
  async assign(
    @UuidParam('followUpId') followUpId: string,
    @Body() { worker }: AssignRequest,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    return this.record(followUpId, principal, correlationId, (episode) => ({
      type: 'AssignRevisit',
      episode,
      occurredAt: this.clock.now().toISOString(),
      workerId: worker,
    }));
  }

  @Route(Post, ':followUpId/complete', 'follow-ups:record', 404, 409)
  async complete(
    @UuidParam('followUpId') followUpId: string,
    @Body() { occurredAt, ...assessment }: CompleteRequest,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    return this.record(followUpId, principal, correlationId, (episode) => ({
      type: 'CompleteRevisit',
      episode,
      occurredAt: this.dated(occurredAt),
      assessment: { ...assessment },
    }));
  }

  @Route(Post, ':followUpId/missed', 'follow-ups:record', 404, 409)
  async missed(
    @UuidParam('followUpId') followUpId: string,
    @Body() { reason, occurredAt }: MissedRequest,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    return this.record(followUpId, principal, correlationId, (episode) => ({
      type: 'MissRevisit',
      episode,
      occurredAt: this.dated(occurredAt),
      reason,
    }));
  }

  private dated(occurredAt?: string): string {
    return occurredAt ? normaliseDate(occurredAt) : this.clock.now().toISOString();
  }

  /**
   * Finds the revisit's family and episode, then sends the command to the families' write path
   * (load, decide, append): the decider builds the event.
   */
  private async record(
    followUpId: string,
    principal: Principal,
    correlationId: string,
    intent: (episode: number) => FamilyIntent,
  ) {
    const found = await this.locate(followUpId, principal);
    // Another authority's revisit is answered exactly as one that does not exist.
    if (!found) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `follow-up ${followUpId} does not exist`,
      });
    }
    const recorded = await this.recordAs(principal, correlationId, {
      familyId: found.familyId,
      intent: intent(found.episode),
    });
    return { followUpId, ...recorded };
  }

  /**
   * The revisit the caller means by a follow-up id, as the list showed it to them (a family stored
   * under an id derived for the caller's authority is shown by its client's id, `namedForClient`),
   * or undefined if the caller sees none by that id.
   */
  private async locate(followUpId: string, principal: Principal): Promise<Located | undefined> {
    const find = (id: string) =>
      this.queries.execute<GetFollowUp, Located | undefined>(new GetFollowUp(id));
    const found = await find(followUpId);
    if (found && sees(principal, found.authority)) return found;
    const authority = principal.authority;
    if (typeof authority !== 'string') return undefined;
    if (found) {
      // Another authority's revisit of a family under the same client id: the caller's own one.
      const own = await find(followUpIdOf(ownFamilyId(authority, found.familyId), found.episode));
      return own && sees(principal, own.authority) ? own : undefined;
    }
    // The other authority's family has no revisit at that episode: look through the caller's own
    // revisits of families stored under derived ids (rare: only clients' ids another one holds).
    let after: { dueAt: string; followUpId: string } | undefined;
    let match: FollowUpView | undefined;
    do {
      const page = await this.queries.execute<ListFollowUps, FollowUpPage>(
        new ListFollowUps({ authority }, 500, after),
      );
      const named = await namedForClient(this.store, page);
      match = page.items[named.items.findIndex((item) => item.followUpId === followUpId)];
      const last = page.items[page.items.length - 1];
      after =
        page.nextCursor && last ? { dueAt: last.dueAt, followUpId: last.followUpId } : undefined;
    } while (after && !match);
    return match && { familyId: match.familyId, episode: match.episode, authority };
  }
}

type Located = { familyId: string; episode: number; authority: string };
