import { Clock, FamilyEvent, FollowUpMissedReason } from '@app/domain';
import {
  FollowUpListStatus,
  FollowUpPage,
  decodeFollowUpCursor,
  findFollowUp,
  listFollowUps,
} from '@app/follow-ups';
import {
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { CommandBus, IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { CLOCK } from '../clock';
import {
  Code,
  DomainAssessmentPayload,
  IsEffectiveDate,
  Recorded,
  RequestInvalid,
  normaliseDate,
  validated,
} from '@app/recording';
import { RecordFamilyEventCommand } from '../families/record-family-event';
import { actorOf } from '../http/actor';
import { CorrelationId } from '../http/correlation';
import { Allow, CurrentPrincipal } from '../auth/decorators';
import { ApiProblems } from '../docs/problems';
import { Principal } from '@app/security';
import { scopedAuthority, sees } from '../auth/scope';

const STATUSES: FollowUpListStatus[] = [
  'scheduled',
  'due',
  'overdue',
  'completed',
  'missed',
  'cancelled',
];
const MISSED_REASONS: FollowUpMissedReason[] = ['uncontactable', 'declined', 'moved_area', 'other'];

class ListFollowUpsQuery {
  @IsOptional() @IsIn(STATUSES) status?: FollowUpListStatus;
  @IsOptional() @Code() authority?: string;
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
  @IsIn(MISSED_REASONS) reason!: FollowUpMissedReason;
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

const uuid = new ParseUUIDPipe({
  exceptionFactory: () =>
    new RequestInvalid([
      { field: 'followUpId', rule: 'isUuid', message: 'followUpId must be a UUID' },
    ]),
});

@Controller('v1/follow-ups')
export class FollowUpsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Allow('follow-ups:read')
  async list(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FollowUpPage> {
    const q = await validated(ListFollowUpsQuery, query);
    q.authority = scopedAuthority(principal, q.authority);
    const after = q.cursor ? decodeFollowUpCursor(q.cursor) : undefined;
    if (q.cursor && !after) {
      throw new RequestInvalid([
        { field: 'cursor', rule: 'isCursor', message: 'cursor is not one this API issued' },
      ]);
    }
    return this.queries.execute(new ListFollowUps(q, q.limit ?? 50, after));
  }

  @Post(':followUpId/assign')
  @Allow('follow-ups:assign')
  @ApiProblems(404, 409)
  async assign(
    @Param('followUpId', uuid) followUpId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    const { worker } = await validated(AssignRequest, body);
    return this.record(followUpId, principal, correlationId, (episode) => ({
      type: 'FollowUpAssigned',
      data: { occurredAt: this.clock.now().toISOString(), episode, workerId: worker },
    }));
  }

  @Post(':followUpId/complete')
  @Allow('follow-ups:record')
  @ApiProblems(404, 409)
  async complete(
    @Param('followUpId', uuid) followUpId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    const { occurredAt, ...assessment } = await validated(CompleteRequest, body);
    return this.record(followUpId, principal, correlationId, (episode) => ({
      type: 'FollowUpCompleted',
      data: { occurredAt: this.dated(occurredAt), episode, assessment: { ...assessment } },
    }));
  }

  @Post(':followUpId/missed')
  @Allow('follow-ups:record')
  @ApiProblems(404, 409)
  async missed(
    @Param('followUpId', uuid) followUpId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    const { reason, occurredAt } = await validated(MissedRequest, body);
    return this.record(followUpId, principal, correlationId, (episode) => ({
      type: 'FollowUpMissed',
      data: { occurredAt: this.dated(occurredAt), episode, reason },
    }));
  }

  private dated(occurredAt?: string): string {
    return occurredAt ? normaliseDate(occurredAt) : this.clock.now().toISOString();
  }

  /** Finds the revisit's family and episode, then the families' write path: load, decide, append. */
  private async record(
    followUpId: string,
    principal: Principal,
    correlationId: string,
    event: (episode: number) => FamilyEvent,
  ) {
    const found = await this.queries.execute<
      GetFollowUp,
      { familyId: string; episode: number; authority: string } | undefined
    >(new GetFollowUp(followUpId));
    // Another authority's revisit is answered exactly as one that does not exist.
    if (!found || !sees(principal, found.authority)) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `follow-up ${followUpId} does not exist`,
      });
    }
    const recorded = await this.commands.execute<RecordFamilyEventCommand, Recorded>(
      new RecordFamilyEventCommand({
        familyId: found.familyId,
        event: event(found.episode),
        actor: actorOf(principal, correlationId),
        authority: principal.authority,
      }),
    );
    return { followUpId, ...recorded };
  }
}
