import { AUTHORITY, AuditRecord, Principal, SUBJECT, listAudit } from '@app/security';
import { Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min, ValidateBy } from 'class-validator';
import { DataSource } from 'typeorm';
import { IsEffectiveDate, RequestInvalid, validated } from '@app/recording';
import { Allow, CurrentPrincipal } from '../auth/decorators';
import { scopedAuthority } from '../auth/scope';

class AuditQuery {
  @IsOptional() @Matches(SUBJECT, { message: 'subject must be a subject id' }) subject?: string;
  @IsOptional() @IsUUID() familyId?: string;
  /** Lines of callers of this authority (a scoped admin's own, always). */
  @IsOptional()
  @Matches(AUTHORITY, { message: 'authority must be an authority code' })
  authority?: string;
  @IsOptional() @IsEffectiveDate() from?: string;
  /** Inclusive: a whole day runs to the next midnight. */
  @IsOptional() @IsEffectiveDate() to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional()
  @ValidateBy({
    name: 'isCursor',
    validator: {
      // A line's id: a positive bigint (a larger number would fail in the database, as a 500).
      validate: (v) => typeof v === 'string' && /^\d{1,19}$/.test(v) && BigInt(v) <= MAX_BIGINT,
      defaultMessage: () => 'cursor is not one this API issued',
    },
  })
  cursor?: string;
}

const MAX_BIGINT = 2n ** 63n - 1n;

const endOf = (to: string) =>
  new Date(Date.parse(to) + (/^\d{4}-\d{2}-\d{2}$/.test(to) ? 86_400_000 : 1));

/**
 * `GET /v1/audit`: the trail, newest first, for admins; an admin of an authority reads the lines
 * of its authority's callers only (national callers' lines and other authorities' stay hidden).
 */
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly db: DataSource) {}

  @Get()
  @Allow('audit:read')
  async list(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const q = await validated(AuditQuery, query);
    const authority = scopedAuthority(principal, q.authority);
    if (q.from && q.to && endOf(q.to) <= new Date(q.from)) {
      throw new RequestInvalid([
        { field: 'to', rule: 'notBeforeFrom', message: 'to is before from' },
      ]);
    }
    return listAudit(this.db, {
      subject: q.subject,
      authority,
      familyId: q.familyId,
      from: q.from ? new Date(q.from) : undefined,
      before: q.to ? endOf(q.to) : undefined,
      afterId: q.cursor,
      limit: q.limit ?? 100,
    });
  }
}
