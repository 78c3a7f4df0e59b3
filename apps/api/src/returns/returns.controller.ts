import { randomUUID } from 'node:crypto';
import { Clock } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { RequestInvalid, validated } from '@app/recording';
import {
  DEFAULT_SPEC,
  ReturnContent,
  StoredReturn,
  changedCells,
  insertReturn,
  decodeReturnsCursor,
  encodeReturnsCursor,
  listReturns,
  lateEvents,
  returnContent,
  returnCsv,
  returnHtml,
  returnChartSvg,
  scopeName,
  scopeOf,
} from '@app/returns';
import { Principal } from '@app/security';
import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { Response } from 'express';
import { DataSource } from 'typeorm';
import { Allow, Route, CurrentPrincipal } from '../auth/decorators';
import { requireNational, scopedAuthority } from '../auth/scope';

import { CLOCK } from '../clock';
import { ReturnsQueue } from './returns.queue';
import { ContentQuery, CreateReturnRequest, ListReturnsQuery } from './returns.requests';
import { view, visibleReturn } from './returns.view';

export { RETURNS_CONFIG, ReturnsQueue } from './returns.queue';

@Controller('v1/returns')
export class ReturnsController {
  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queue: ReturnsQueue,
  ) {}

  private visible(id: string, caller: Principal): Promise<StoredReturn> {
    return visibleReturn(this.db, id, caller);
  }

  private async built(id: string, caller: Principal): Promise<[StoredReturn, string]> {
    const r = await this.visible(id, caller);
    const content = r.status === 'built' ? await returnContent(this.db, id) : undefined;
    if (!content) {
      throw new ConflictException({
        code: 'return_not_built',
        // Not `status`: in a problem (RFC 9457) that is the HTTP status code.
        returnStatus: r.status,
        progress: r.progress,
        message: `return ${id} is ${r.status}`,
      });
    }
    return [r, content];
  }

  @Post()
  @HttpCode(202)
  @Allow('returns:write')
  async create(
    @Body() q: CreateReturnRequest,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const errors = [];
    if (q.periodEnd < q.periodStart) {
      errors.push({
        field: 'periodEnd',
        rule: 'notBeforeStart',
        message: 'periodEnd must not be before periodStart',
      });
    }
    if (errors.length) throw new RequestInvalid(errors);
    // A scoped caller asking for another authority, or for 'national', is refused (403).
    const authority = scopeOf(scopedAuthority(caller, q.authority)!);
    if (authority === null) requireNational(caller, 'a national return', 'returns:national');
    const id = randomUUID();
    // Built as at everything recorded by now (the build waits for the read models to reach it):
    // later records belong to a later return (and show in its diff).
    const position = await this.store.lastPosition();
    const spec = q.spec ?? DEFAULT_SPEC;
    await insertReturn(this.db, {
      id,
      authority,
      periodStart: q.periodStart,
      periodEnd: q.periodEnd,
      spec,
      position,
      requestedBy: caller.subject,
      requestedAt: this.clock.now().toISOString(),
    });
    await this.queue.enqueue(id);
    res.location(`/v1/returns/${id}`);
    return { id, status: 'pending', position: position.toString() };
  }

  /** The caller's authority's returns (national callers: every one, or `authority`'s), newest first. */
  @Get()
  @Allow('returns:read')
  async list(@Query() query: unknown, @CurrentPrincipal() caller: Principal) {
    const q = await validated(ListReturnsQuery, query);
    const scoped = scopedAuthority(caller, q.authority);
    const after = q.cursor ? decodeReturnsCursor(q.cursor) : undefined;
    if (q.cursor && !after) {
      throw new RequestInvalid([
        { field: 'cursor', rule: 'isCursor', message: 'cursor is not one this API issued' },
      ]);
    }
    const limit = q.limit ?? 20;
    const rows = await listReturns(this.db, {
      authority: scoped === undefined ? undefined : scopeOf(scoped),
      limit: limit + 1,
      after,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(view),
      nextCursor:
        rows.length > limit && last
          ? encodeReturnsCursor({ requestedAt: last.requestedAt, id: last.id })
          : null,
    };
  }

  @Route(Get, ':id', 'returns:read', 404)
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() caller: Principal) {
    return view(await this.visible(id, caller));
  }

  @Route(Get, ':id/content', 'returns:read', 404, 409)
  async content(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: unknown,
    @CurrentPrincipal() caller: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const q = await validated(ContentQuery, query);
    const [r, json] = await this.built(id, caller);
    const name = `return-${scopeName(r.authority)}-${r.periodStart}-${r.periodEnd}`;
    res.setHeader('x-content-sha256', r.sha256!);
    switch (q.format ?? 'json') {
      case 'json':
        res.type('application/json').attachment(`${name}.json`).send(json);
        return;
      case 'csv':
        res
          .type('text/csv')
          .attachment(`${name}.csv`)
          .send(returnCsv(JSON.parse(json) as ReturnContent, r.builtAt));
        return;
      case 'html':
        res
          .type('text/html')
          .send(
            returnHtml(JSON.parse(json) as ReturnContent, r.sha256!, returnChartSvg, r.builtAt),
          );
        return;
    }
  }

  @Route(Get, ':id/diff/:otherId', 'returns:read', 404, 409)
  async diff(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('otherId', ParseUUIDPipe) otherId: string,
    @CurrentPrincipal() caller: Principal,
  ) {
    const [a, aJson] = await this.built(id, caller);
    const [b, bJson] = await this.built(otherId, caller);
    if (
      a.authority !== b.authority ||
      a.periodStart !== b.periodStart ||
      a.periodEnd !== b.periodEnd
    ) {
      throw new RequestInvalid([
        {
          field: 'otherId',
          rule: 'sameReturn',
          message: 'both returns must be of the same authority and period',
        },
      ]);
    }
    const [from, to] = a.position <= b.position ? [a, b] : [b, a];
    const side = (r: StoredReturn) => ({
      id: r.id,
      position: r.position.toString(),
      sha256: r.sha256,
    });
    const contents = new Map([
      [a.id, JSON.parse(aJson) as ReturnContent],
      [b.id, JSON.parse(bJson) as ReturnContent],
    ]);
    return {
      from: side(from),
      to: side(to),
      changedCells: changedCells(contents.get(from.id)!, contents.get(to.id)!),
      lateEvents: await lateEvents(this.db, a.authority, a, from.position, to.position),
    };
  }
}
