import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  ForbiddenException,
  Headers,
  HttpCode,
  Inject,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { Response } from 'express';
import { QueryBus } from '@nestjs/cqrs';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { toProblem } from '../http/problems';
import { parsedWith, UuidParam } from '../http/validation';
import {
  AuthorityCode,
  EventRecording,
  BatchRequest,
  Code,
  FamilyNotFound,
  IsEffectiveDate,
  normaliseDate,
  RequestInvalid,
  parseBatchItem,
  parseRecordEvent,
  parseReferFamily,
  clientFamilyIds,
  codeFilter,
  storedFamilyId,
  validated,
} from '@app/recording';
import { CodeLists } from '@app/domain';
import { CODE_LISTS } from './code-lists.module';
import { FamilyWrites } from './family-writes';
import { CorrelationId } from '../http/correlation';
import { Allow, Route, CurrentPrincipal } from '../auth/decorators';

import {
  conditionally,
  etagOf,
  eventIdOf,
  expectedRevisionOf,
  idempotencyIds,
} from '../http/preconditions';
import { Principal } from '@app/security';
import { scopedAuthority, sees } from '../auth/scope';
import {
  FamilyPage,
  FamilyView,
  GetFamily,
  GetTimeline,
  ListFamilies,
  TimelineEntry,
  decodeCursor,
  encodeCursor,
} from './queries';

class TransferRequest {
  @AuthorityCode() toAuthority!: string;
  @IsOptional() @IsEffectiveDate() occurredAt?: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

class ListFamiliesQuery {
  @IsOptional() @Code() authority?: string;
  @IsOptional() @Code() programme?: string;
  @IsOptional() @IsIn(['referred', 'offered', 'accepted', 'refused', 'exited']) status?: string;
  /** A key worker's caseload: the families this worker is the key worker of now. */
  @IsOptional() @Code() keyWorker?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @IsString() cursor?: string;
}

@Controller('v1')
export class FamiliesController extends FamilyWrites {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CODE_LISTS) private readonly codes: CodeLists,
  ) {
    super();
  }

  @Route(Post, 'families', 'families:write', 409)
  async refer(
    @Body(parsedWith(parseReferFamily)) recording: EventRecording & { familyId?: string },
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ familyId: string; revision: number; position: string }> {
    // With a key, a retried referral without a familyId finds the family its first try made.
    const key = idempotencyIds(idempotencyKey, principal.subject);
    const familyId = recording.familyId ?? key?.familyId ?? randomUUID();
    const recorded = await this.recordAs(principal, correlationId, {
      familyId,
      event: recording.event,
      newFamily: true,
      eventId: key?.eventId,
    });
    return { familyId, revision: recorded.revision, position: recorded.position };
  }

  @Route(Post, 'families/:familyId/events', 'families:write', 404, 409, 412)
  async record(
    @UuidParam('familyId') familyId: string,
    @Body(parsedWith(parseRecordEvent)) recording: EventRecording,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Headers('if-match') ifMatch?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ eventId: string; revision: number; position: string }> {
    const eventId = eventIdOf(recording.eventId, idempotencyIds(idempotencyKey, principal.subject));
    const { expectedRevision, conditional } = expectedRevisionOf(
      recording.expectedRevision,
      ifMatch,
    );
    const recorded = await conditionally(conditional, () =>
      this.recordAs(principal, correlationId, {
        familyId,
        event: recording.event,
        eventId,
        expectedRevision,
      }),
    );
    return { eventId: recorded.eventId, revision: recorded.revision, position: recorded.position };
  }

  /**
   * Up to 1,000 events for many families. Each item is answered on its own (a 201-like result or
   * the error it would have had alone); items of one family are applied in order.
   */
  @Post('events/batch')
  @Allow('families:write')
  @HttpCode(200)
  async batch(
    @Body() { events }: BatchRequest,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<{ results: Record<string, unknown>[] }> {
    const results: Record<string, unknown>[] = new Array(events.length);
    const byFamily = new Map<string, number[]>();
    const parsed = await Promise.all(
      events.map((item, index) =>
        parseBatchItem(item).then(
          (ok) => ({ ok }),
          (error: unknown) => ({ error, index }),
        ),
      ),
    );
    parsed.forEach((p, index) => {
      if ('error' in p) {
        const problem = toProblem(p.error);
        results[index] = { index, status: problem.status, error: problem.body };
      } else {
        byFamily.set(p.ok.familyId, [...(byFamily.get(p.ok.familyId) ?? []), index]);
      }
    });
    const recordFamily = async (indexes: number[]) => {
      for (const index of indexes) {
        const p = parsed[index] as { ok: Awaited<ReturnType<typeof parseBatchItem>> };
        const { familyId, event, eventId, expectedRevision } = p.ok;
        try {
          const recorded = await this.recordAs(principal, correlationId, {
            familyId,
            event,
            eventId,
            expectedRevision,
          });
          results[index] = { index, status: 201, ...recorded };
        } catch (error) {
          const problem = toProblem(error);
          results[index] = { index, status: problem.status, familyId, error: problem.body };
        }
      }
    };
    await runLimited([...byFamily.values()], 8, recordFamily);
    return { results };
  }

  @Get('families')
  @Allow('families:read')
  async list(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FamilyPage> {
    const q = await validated(ListFamiliesQuery, query);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (q.cursor && !after) {
      throw new RequestInvalid([
        { field: 'cursor', rule: 'isCursor', message: 'cursor is not one this API issued' },
      ]);
    }
    const authority = scopedAuthority(principal, q.authority);
    // `?programme=FIP` means the programme `fip`: a listed code in any case, else 400.
    const programme = codeFilter(this.codes, 'programmes', 'programme', q.programme, authority);
    const filter = { authority, programme, status: q.status, keyWorker: q.keyWorker };
    // A cursor names its family as the list showed it; the keyset runs on the stored id.
    if (after && principal.authority !== null)
      after.familyId = await this.storedId(after, principal);
    const page = await this.queries.execute<ListFamilies, FamilyPage>(
      new ListFamilies(filter, q.limit ?? 50, after),
    );
    if (principal.authority === null) return page;
    // An authority's callers see its families by the ids its clients gave (`storedFamilyId`),
    // the cursor's last family too.
    const named = await clientFamilyIds(
      this.store,
      page.items.map((f) => f.familyId),
    );
    if (!named.size) return page;
    const items = page.items.map((f) => ({ ...f, familyId: named.get(f.familyId) ?? f.familyId }));
    const last = items[items.length - 1];
    const nextCursor =
      page.nextCursor && last
        ? encodeCursor({ referredAt: last.episode.referredAt, familyId: last.familyId })
        : page.nextCursor;
    return { items, nextCursor };
  }

  /** The stored id of the family a scoped caller's cursor names by its client's id. */
  private async storedId(
    { familyId }: { familyId: string },
    principal: Principal,
  ): Promise<string> {
    const named = await this.queries.execute<GetFamily, FamilyView | undefined>(
      new GetFamily(familyId),
    );
    return storedFamilyId(principal.authority, familyId, named?.authority);
  }

  @Route(Get, 'families/:familyId', 'families:read', 404)
  async get(
    @UuidParam('familyId') familyId: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FamilyView> {
    const { family } = await this.visibleFamily(familyId, principal);
    // The revision this view shows, for If-Match on the next write.
    res.setHeader('ETag', etagOf(family.revision));
    return family;
  }

  @Route(Get, 'families/:familyId/timeline', 'families:read', 404)
  async timeline(
    @UuidParam('familyId') familyId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ familyId: string; events: TimelineEntry[] }> {
    const { storedId } = await this.visibleFamily(familyId, principal);
    const events = await this.queries.execute<GetTimeline, TimelineEntry[]>(
      new GetTimeline(storedId),
    );
    if (!events.length) throw new FamilyNotFound(familyId);
    return { familyId, events };
  }

  /**
   * Hands the family to another authority (`FamilyTransferred`): a manager of the owning
   * authority only. From then on the old authority no longer sees it.
   */
  @Route(Post, 'families/:familyId/transfer', 'families:transfer', 404, 409)
  async transfer(
    @UuidParam('familyId') familyId: string,
    @Body() { toAuthority, occurredAt, reason }: TransferRequest,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<{ eventId: string; revision: number; position: string }> {
    if (principal.authority === null) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: 'only a manager of the owning authority transfers a family',
      });
    }
    const recorded = await this.recordAs(principal, correlationId, {
      familyId,
      intent: {
        type: 'TransferFamily',
        occurredAt: occurredAt ? normaliseDate(occurredAt) : this.clock.now().toISOString(),
        fromAuthority: principal.authority,
        toAuthority,
        ...(reason ? { reason } : {}),
      },
    });
    return { eventId: recorded.eventId, revision: recorded.revision, position: recorded.position };
  }

  /**
   * The family as the caller may see it, named as the caller named it, and its stored id: the id
   * is a key inside the caller's authority (`storedFamilyId`), so another authority's family is
   * never found and costs the same lookups as an id nobody holds.
   */
  private async visibleFamily(
    familyId: string,
    principal: Principal,
  ): Promise<{ family: FamilyView; storedId: string }> {
    const view = (id: string) =>
      this.queries.execute<GetFamily, FamilyView | undefined>(new GetFamily(id));
    const named = await view(familyId);
    const storedId = storedFamilyId(principal.authority, familyId, named?.authority);
    const family = storedId === familyId ? named : await view(storedId);
    if (!family || !sees(principal, family.authority)) throw new FamilyNotFound(familyId);
    return { family: { ...family, familyId }, storedId };
  }
}

/** Runs `work` over `groups` with at most `limit` at a time. */
async function runLimited<T>(
  groups: T[],
  limit: number,
  work: (group: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < groups.length) await work(groups[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, groups.length) }, lane));
}
