/** What the returns routes take: bodies and queries, validated with class-validator. */
import { Code } from '@app/recording';
import { SPECS } from '@app/returns';
import { IsIn, IsISO8601, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { JSONSchema } from 'class-validator-jsonschema';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateReturnRequest {
  /** An authority's code, or `national` (every authority: national callers only). */
  @Code() authority!: string;
  @Matches(DATE, { message: 'periodStart must be a date, YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'periodStart is not a calendar date' })
  periodStart!: string;
  @Matches(DATE, { message: 'periodEnd must be a date, YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'periodEnd is not a calendar date' })
  periodEnd!: string;
  @IsOptional()
  @IsIn([...SPECS.keys()], { message: `spec must be one of: ${[...SPECS.keys()].join(', ')}` })
  spec?: string;
}

export class ContentQuery {
  @IsOptional()
  @IsIn(['json', 'csv', 'html'], { message: 'format must be one of: json, csv, html' })
  format?: 'json' | 'csv' | 'html';
}

export class ListReturnsQuery {
  @IsOptional() @Code() authority?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() cursor?: string;
}

export class ExtractQuery {
  /**
   * Deprecated, and never a selector: the recipient is the one the caller's API key is bound to.
   * Accepted so that callers who sent it keep working; any other recipient is 403.
   */
  @IsOptional()
  @Code()
  @JSONSchema({
    deprecated: true,
    description:
      'Optional and deprecated: the recipient is the one your API key is bound to; naming another is 403',
  })
  recipient?: string;
}
