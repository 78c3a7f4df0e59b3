import { PersonalDataVault, Principal } from '@app/security';
import { Code, normaliseDate, validated } from '@app/recording';
import {
  CostRegistry,
  PriceIndex,
  ProgrammeCost,
  UnitCostTable,
  formatPence,
  formatRatio,
  listProgrammeCosts,
  moneyCoefficients,
  parsePounds,
  refOf,
  setProgrammeCost,
} from '@app/savings';
import {
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DisclosureRule, discloseSavings } from '@app/returns';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, FiguresRoute, Route } from '../auth/decorators';
import { Csv, CsvReply, readModelsPosition } from '../http/csv';
import { csvContext } from '@app/security/csv-output';

import { scopedAuthority } from '../auth/scope';
import { Clock } from '@app/domain';
import { CLOCK } from '../clock';
import { DISCLOSURE_RULE } from '../outcomes/disclosure-rule';
import {
  DISCLOSURE,
  OutcomesQuery,
  disclosed,
  perturbedDisclosure,
  underDisclosure,
  echo,
  toFilter,
  wholeDaysUnderDisclosure,
} from '../outcomes/outcomes.controller';
import { savingsCsv } from './csv';
import { COST_REGISTRY, GetSavings, SavingsAnswer } from './queries';

/** `GET /v1/savings`: the outcomes filters, plus the unit-cost table and the price year. */
export class SavingsQuery extends OutcomesQuery {
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_-]{0,63}@[1-9]\d{0,5}$/, {
    message: 'unitCosts must name a unit-cost table as id@version (e.g. uk-unit-costs@1)',
  })
  unitCosts?: string;

  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'priceYear must be a year (e.g. 2024)' })
  priceYear?: string;

  /** Small counts suppressed (see @app/returns); always on for evaluators. */
  @IsOptional()
  @IsIn(DISCLOSURE, { message: 'disclosure must be on or off' })
  disclosure?: 'on' | 'off';
}

/** `PUT /v1/programme-costs/{authority}/{programme}/{year}` */
export class ProgrammeCostBody {
  @IsString()
  @Matches(/^\d{1,12}(\.\d{1,2})?$/, {
    message: 'amount must be pounds as a string with at most 2 decimals (e.g. "250000.00")',
  })
  amount!: string;

  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class AuthorityPath {
  @Code() authority!: string;
}

export class ProgrammeCostPath extends AuthorityPath {
  @Code() programme!: string;
  @Matches(/^(19|20|21)\d{2}$/, {
    message: 'year must be the year a financial year starts in (e.g. 2024 for 2024-25)',
  })
  year!: string;
}

/** An authority named in the path: another authority's is not found, as for a family. */
function ownPathAuthority(principal: Principal, authority: string): string {
  if (principal.authority !== null && principal.authority !== authority) {
    throw new NotFoundException({
      statusCode: 404,
      error: 'Not Found',
      message: `no programme costs for authority ${authority}`,
    });
  }
  return authority;
}

const describeIndex = (i: PriceIndex) => ({
  id: i.id,
  version: i.version,
  title: i.title,
  source: i.source,
  evidence: i.evidence,
  ...(i.note ? { note: i.note } : {}),
  values: Object.fromEntries(
    [...i.values].sort(([a], [b]) => a - b).map(([y, v]) => [y, formatRatio(v, 1000n, 3)]),
  ),
});

const describeTable = (t: UnitCostTable) => ({
  id: t.id,
  version: t.version,
  ref: refOf(t),
  title: t.title,
  priceYear: t.priceYear,
  priceIndex: t.priceIndex,
  rows: t.rows.map(({ costPence, deadweightMilliPct, attributionMilliPct, ...row }) => ({
    ...row,
    cost: formatPence(costPence),
    ...(deadweightMilliPct === undefined
      ? {}
      : { deadweight: formatRatio(deadweightMilliPct, 1000n, 3) }),
    ...(attributionMilliPct === undefined
      ? {}
      : { attribution: formatRatio(attributionMilliPct, 1000n, 3) }),
  })),
  mappings: t.mappings.map(({ quantityMilli, ...m }) => ({
    ...m,
    quantity: formatRatio(quantityMilli, 1000n, 3),
  })),
});

@Controller('v1')
export class SavingsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly db: DataSource,
    @Inject(COST_REGISTRY) private readonly registry: CostRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly vault: PersonalDataVault,
    @Inject(DISCLOSURE_RULE) private readonly disclosure: DisclosureRule,
  ) {}

  @FiguresRoute('savings')
  async savings(
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
    @Csv() csv: CsvReply,
  ): Promise<Record<string, unknown> | string> {
    const position = csv.wanted ? await readModelsPosition(this.db, ['outcomes']) : '';
    const q = await validated(SavingsQuery, query);
    const on = disclosed(q, principal);
    wholeDaysUnderDisclosure(q, on);
    const filter = { ...toFilter(q), authority: scopedAuthority(principal, q.authority) };
    const cohort = q.cohort ?? 'planned_exits';
    const asAt = q.asAt && normaliseDate(q.asAt);
    const figures = await this.queries.execute<GetSavings, SavingsAnswer>(
      new GetSavings(
        filter,
        cohort,
        q.unitCosts,
        q.priceYear === undefined ? undefined : Number(q.priceYear),
        asAt,
        on,
      ),
    );
    const report = on ? perturbedDisclosure(this.disclose(figures)) : figures;
    const { asAt: at, cohort: kind, ...rest } = report;
    const filters = { ...echo(q), authority: filter.authority, cohort: kind, asAt: at };
    const shown = { ...filters, ...underDisclosure(on) };
    if (csv.wanted) return csv.send(savingsCsv(report, csvContext(shown, position)));
    return { filters: shown, ...rest };
  }

  /**
   * Money is counts × the calculator's money per family (gross and net): every figure is tied to
   * the counts it is computed from and suppressed until none of them can be worked out.
   */
  private disclose(report: SavingsAnswer) {
    return discloseSavings(report, this.disclosure, moneyCoefficients(report));
  }

  /** The unit-cost tables and price indexes on offer, with every source and mapping. */
  @FiguresRoute('savings/unit-costs')
  unitCosts(): Record<string, unknown> {
    return {
      default: this.registry.defaultTable,
      tables: [...this.registry.tables.values()].map(describeTable),
      priceIndexes: [...this.registry.indexes.values()].map(describeIndex),
    };
  }

  @Route(Get, 'programme-costs/:authority', 'outcomes:read', 404)
  async programmeCosts(
    @Param() params: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    const { authority } = await validated(AuthorityPath, params);
    const scoped = ownPathAuthority(principal, authority);
    const costs = await listProgrammeCosts(this.db, scoped);
    return { authority: scoped, costs: costs.map((c) => this.openNote(c)) };
  }

  /** Sets (or replaces) what an authority spent on a programme in a financial year. */
  @Route(Put, 'programme-costs/:authority/:programme/:year', 'programme-costs:write', 404)
  async setProgrammeCost(
    @Param() params: unknown,
    @Body() entry: ProgrammeCostBody,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProgrammeCost> {
    const path = await validated(ProgrammeCostPath, params);
    const authority = ownPathAuthority(principal, path.authority);
    const slot = noteSlot({ programme: path.programme, year: Number(path.year) });
    const cost = await setProgrammeCost(
      this.db,
      {
        authority,
        programme: path.programme,
        year: Number(path.year),
        pence: parsePounds(entry.amount),
        // Free text may name a person: it is stored sealed (issue 16), never in clear.
        note:
          entry.note === undefined
            ? undefined
            : this.vault.sealAuthorityNote(authority, slot, entry.note),
      },
      principal.subject,
      this.clock.now(),
    );
    return this.openNote(cost);
  }

  private openNote(cost: ProgrammeCost): ProgrammeCost {
    return {
      ...cost,
      note: this.vault.openAuthorityNote(cost.authority, noteSlot(cost), cost.note),
    };
  }
}

/** The row a programme cost's note is sealed to. */
const noteSlot = (c: { programme: string; year: number }) =>
  `programme-cost|${c.programme}|${c.year}`;
