import { CODE_LIST_IDS, CodeLists } from '@app/domain';
import { Code, validated } from '@app/recording';
import { Principal } from '@app/security';
import { Controller, Inject, Query } from '@nestjs/common';
import { IsOptional } from 'class-validator';
import { CurrentPrincipal, FiguresRoute } from '../auth/decorators';
import { scopedAuthority } from '../auth/scope';
import { CODE_LISTS } from './code-lists.module';

class CodeListsQuery {
  @IsOptional() @Code() authority?: string;
}

export interface CodeListsAnswer {
  /** Whose additions are included (null: every authority's, for a national caller). */
  authority: string | null;
  lists: Record<string, { version: string; codes: { code: string; name: string }[] }>;
}

/** `GET /v1/code-lists`: every code a field takes, with its display name (the caller's lists). */
@Controller('v1')
export class CodeListsController {
  constructor(@Inject(CODE_LISTS) private readonly codes: CodeLists) {}

  @FiguresRoute('code-lists')
  async lists(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CodeListsAnswer> {
    const q = await validated(CodeListsQuery, query);
    const authority = scopedAuthority(principal, q.authority) ?? null;
    const own = this.codes.for(authority);
    return {
      authority,
      lists: Object.fromEntries(
        CODE_LIST_IDS.map((id) => [id, { version: own[id].version, codes: [...own[id].entries] }]),
      ),
    };
  }
}
