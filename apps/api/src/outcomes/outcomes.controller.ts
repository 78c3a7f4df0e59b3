import { Controller, Inject, Query, Res } from '@nestjs/common';
import {
  chartableRows,
  DisclosureRule,
  discloseOutcomes,
  discloseSummary,
  PerturbationStatement,
  PTABLE_V1,
} from '@app/returns';
import { Principal } from '@app/security';
import { QueryBus } from '@nestjs/cqrs';
import { IsIn, IsOptional } from 'class-validator';
import { Response } from 'express';
import { COHORT_KINDS, CohortFilter, CohortKind, outcomesChartSvg } from '@app/outcomes';
import { cohortsCsv } from './cohorts-csv';
import { CodeLists, codeForm } from '@app/domain';
import {
  Code,
  IsEffectiveDate,
  RequestInvalid,
  codeFilter,
  normaliseDate,
  validated,
} from '@app/recording';
import { Transform } from 'class-transformer';
import { CODE_LISTS } from '../families/code-lists.module';
import { summaryCsv } from './csv';
import { CurrentPrincipal, FiguresRoute } from '../auth/decorators';
import { Csv, CsvReply, readModelsPosition } from '../http/csv';
import { csvContext } from '@app/security/csv-output';
import { DataSource } from 'typeorm';
import { scopedAuthority } from '../auth/scope';
import { DISCLOSURE_RULE } from './disclosure-rule';
import { GetCohortSummary, GetOutcomes, OutcomesTable, Summary, cohortsFor } from './queries';

/** `GET /v1/cohorts/summary`: every family referred, whatever became of it. */
export class CohortFilterQuery {
  @IsOptional() @Code() authority?: string;
  /** A programme's code in any case (`FIP` is `fip`); the controllers refuse an unlisted one. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? codeForm(value) : value,
  )
  @Code()
  programme?: string;
  @IsOptional() @IsEffectiveDate() referredFrom?: string;
  @IsOptional() @IsEffectiveDate() referredTo?: string;
  @IsOptional() @IsEffectiveDate() exitedFrom?: string;
  @IsOptional() @IsEffectiveDate() exitedTo?: string;
  /** The answer as the records stood then (only events recorded by then). */
  @IsOptional() @IsEffectiveDate() asAt?: string;
}

/**
 * `GET /v1/outcomes`: planned exits and all who started, always both; `cohort=all_exits` adds
 * all exits (`cohortsFor`).
 */
export class OutcomesQuery extends CohortFilterQuery {
  @IsOptional()
  @IsIn(COHORT_KINDS, { message: `cohort must be one of: ${COHORT_KINDS.join(', ')}` })
  cohort?: CohortKind;
}

export const DISCLOSURE = ['on', 'off'] as const;

/**
 * `?disclosure=on`: every count perturbed (cell-key) and small counts suppressed (see
 * @app/returns); always on for evaluators.
 */
class DisclosedOutcomesQuery extends OutcomesQuery {
  @IsOptional()
  @IsIn(DISCLOSURE, { message: 'disclosure must be on or off' })
  disclosure?: 'on' | 'off';
}

class DisclosedSummaryQuery extends CohortFilterQuery {
  @IsOptional()
  @IsIn(DISCLOSURE, { message: 'disclosure must be on or off' })
  disclosure?: 'on' | 'off';
}

/** The perturbation an answer's counts went through, stated with its disclosure control. */
export function perturbedDisclosure<
  T extends { perturbation?: PerturbationStatement; disclosure: object },
>({ perturbation, ...answer }: T) {
  return { ...answer, disclosure: { ...answer.disclosure, perturbation } };
}

/**
 * What the answer's filters say of disclosure control: on, and the perturbation table its counts
 * went through (so a CSV, whose every row carries the filters, names it too).
 */
export const underDisclosure = (on: boolean) =>
  on ? { disclosure: 'on', ptable: PTABLE_V1.id } : {};

export const disclosed = (q: { disclosure?: 'on' | 'off' }, principal: Principal) =>
  principal.role === 'evaluator' || q.disclosure === 'on';

const DATE_FILTERS = ['referredFrom', 'referredTo', 'exitedFrom', 'exitedTo', 'asAt'] as const;
const WHOLE_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Under disclosure control a date filter takes a whole day at most (issue 14): with a time of
 * day, two queries a moment apart isolate the one family referred (or exited) in between. Throws a
 * 400 naming each field with a time of day; without disclosure control, filters stay exact.
 */
export function wholeDaysUnderDisclosure(q: CohortFilterQuery, on: boolean): void {
  if (!on) return;
  const errors = DATE_FILTERS.filter((k) => q[k] !== undefined && !WHOLE_DAY.test(q[k]!)).map(
    (field) => ({
      field,
      rule: 'wholeDay',
      message: `${field} must be a whole date (YYYY-MM-DD) under disclosure control: no time of day`,
    }),
  );
  if (errors.length) throw new RequestInvalid(errors);
}

/** An inclusive upper bound as an exclusive instant: a whole day runs to the next midnight. */
function before(to: string): string {
  const t = Date.parse(to);
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(to) ? t + 86_400_000 : t + 1).toISOString();
}

export function toFilter(q: CohortFilterQuery): CohortFilter {
  return {
    authority: q.authority,
    programme: q.programme,
    referredFrom: q.referredFrom && normaliseDate(q.referredFrom),
    referredBefore: q.referredTo && before(q.referredTo),
    exitedFrom: q.exitedFrom && normaliseDate(q.exitedFrom),
    exitedBefore: q.exitedTo && before(q.exitedTo),
  };
}

/** The filters as asked (dates normalised), for the answer to say what it answers. */
export const echo = (q: CohortFilterQuery) =>
  Object.fromEntries(
    Object.entries(q)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, /From$|To$/.test(k) ? normaliseDate(v as string) : v]),
  );

/** The read models a cohort summary reads (its follow-up rates from the follow-ups'). */
const SUMMARY_READS = ['outcomes', 'follow_ups'];

@Controller('v1')
export class OutcomesController {
  @Inject(DataSource) private readonly db!: DataSource;
  constructor(
    private readonly queries: QueryBus,
    @Inject(DISCLOSURE_RULE) private readonly disclosure: DisclosureRule,
    @Inject(CODE_LISTS) private readonly codes: CodeLists,
  ) {}

  @FiguresRoute('outcomes')
  async outcomes(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
    @Csv() csv: CsvReply,
  ): Promise<Record<string, unknown> | string> {
    const position = csv.wanted ? await readModelsPosition(this.db, ['outcomes']) : '';
    const { q, table, on } = await this.table(query, principal);
    const { asAt: at, ...rest } = table;
    const filters = { ...echo(q), asAt: at, ...underDisclosure(on) };
    if (csv.wanted) {
      // Every row leads with its own cohort (the answer holds several, all exits among them
      // when asked for), so the context has none.
      const { cohort: _asked, ...context } = csvContext(filters, position);
      return csv.send(cohortsCsv(table.cohorts, table.attrition, context));
    }
    return { filters, ...rest };
  }

  /**
   * The same tables as one paired bar chart: per domain, a bar group for each cohort (baseline,
   * exit, one year on) with interval whiskers, each group labelled with its cohort and n.
   */
  @FiguresRoute('outcomes/chart.svg')
  async chart(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const { q, table, on } = await this.table(query, principal);
    const filters = Object.entries(echo(q)).filter(([k]) => k !== 'cohort' && k !== 'asAt');
    const a = table.attrition;
    const subtitle = [
      `${a.referred} referred → ${a.started} started → ${a.plannedExits} planned exits`,
      `${a.excludedForConsent} excluded for consent`,
      ...filters.map(([k, v]) => `${k} ${String(v)}`),
      `as at ${table.asAt}`,
    ].join(' · ');
    res.type('image/svg+xml');
    // Under disclosure control a suppressed figure is not drawn either (the domain is left out).
    const cohorts = table.cohorts.map((c) => ({
      kind: c.kind,
      families: c.families,
      domains: on ? chartableRows(c.domains) : c.domains,
    }));
    return outcomesChartSvg(cohorts, {
      subtitle: on ? `${subtitle} · counts perturbed (${PTABLE_V1.id})` : subtitle,
    });
  }

  /** The tables, under disclosure control when asked for, and always for evaluators. */
  private async table(query: unknown, principal: Principal) {
    const q = await validated(DisclosedOutcomesQuery, query);
    q.authority = scopedAuthority(principal, q.authority);
    q.programme = codeFilter(this.codes, 'programmes', 'programme', q.programme, q.authority);
    const on = disclosed(q, principal);
    wholeDaysUnderDisclosure(q, on);
    const asAt = q.asAt && normaliseDate(q.asAt);
    const live = await this.queries.execute<GetOutcomes, OutcomesTable>(
      new GetOutcomes(toFilter(q), cohortsFor(q.cohort), asAt, on),
    );
    const table = on ? perturbedDisclosure(discloseOutcomes(live, this.disclosure)) : live;
    return { q, table, on };
  }

  @FiguresRoute('cohorts/summary')
  async summary(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
    @Csv() csv: CsvReply,
  ): Promise<Record<string, unknown> | string> {
    const position = csv.wanted ? await readModelsPosition(this.db, SUMMARY_READS) : '';
    const q = await validated(DisclosedSummaryQuery, query);
    q.authority = scopedAuthority(principal, q.authority);
    q.programme = codeFilter(this.codes, 'programmes', 'programme', q.programme, q.authority);
    const on = disclosed(q, principal);
    wholeDaysUnderDisclosure(q, on);
    const asAt = q.asAt && normaliseDate(q.asAt);
    const { asAt: at, ...live } = await this.queries.execute<GetCohortSummary, Summary>(
      new GetCohortSummary(toFilter(q), asAt, on),
    );
    const summary = on ? perturbedDisclosure(discloseSummary(live, this.disclosure)) : live;
    const filters = { ...echo(q), asAt: at, ...underDisclosure(on) };
    if (csv.wanted) return csv.send(summaryCsv(summary, csvContext(filters, position)));
    return { filters, ...summary };
  }
}
