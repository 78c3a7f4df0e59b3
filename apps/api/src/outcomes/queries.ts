import { Clock } from '@app/domain';
import { FollowUpRates, FollowUpSource, followUpRates, followUpsAsAt } from '@app/follow-ups';
import {
  Attrition,
  CohortFilter,
  CohortKind,
  CohortSummary,
  DomainRow,
  EpisodeSource,
  LIVE,
  OutcomeDefinitions,
  attrition,
  cohortSummary,
  domainRow,
  EndPoint,
  endPointOf,
  episodesAsAt,
  outcomeCounts,
  outcomeCells,
  countsFromCells,
  onTheLine,
  populationKey,
  OutcomeCounts,
  Published,
  checkedOutcomeModel,
  OutcomeDefinitionsChanged,
} from '@app/outcomes';
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import {
  CellKeys,
  PerturbationStatement,
  perturbationStatement,
  publishedOver,
} from '@app/returns';
import { CLOCK } from '../clock';

/** Injection token of the deployment's `CellKeys` (cell-key perturbation). */
export const CELL_KEYS = Symbol('CellKeys');

/** Injection token of the loaded `OutcomeDefinitions`. */
export const OUTCOME_DEFINITIONS = Symbol('OutcomeDefinitions');

export class GetOutcomes {
  constructor(
    readonly filter: CohortFilter,
    /** The cohorts answered, in order (`cohortsFor`). */
    readonly cohorts: readonly CohortKind[],
    readonly asAt?: string,
    /** Every count published through cell-key perturbation (under disclosure control). */
    readonly perturbed = false,
  ) {}
}

/**
 * The cohorts an outcomes answer holds: planned exits and every family that started (intention
 * to treat), always both, side by side; all exits as well when asked for.
 */
export const cohortsFor = (asked: CohortKind | undefined): CohortKind[] => [
  'planned_exits',
  'all_started',
  ...(asked === 'all_exits' ? (['all_exits'] as const) : []),
];

/** What each cohort is, in words, for every output that shows it. */
export const COHORT_TEXT: Record<CohortKind, string> = {
  planned_exits: 'families with a planned exit (compared at exit)',
  all_started: 'every family that started an intervention (intention to treat; exit or latest)',
  all_exits: 'every family that started and exited, planned or not (exit or latest)',
};

export class GetCohortSummary {
  constructor(
    readonly filter: CohortFilter,
    readonly asAt?: string,
    /** Every count published through cell-key perturbation (under disclosure control). */
    readonly perturbed = false,
  ) {}
}

/** One cohort's outcomes table: its own n (`families`), its own rows. */
export interface CohortTable {
  kind: CohortKind;
  description: string;
  families: number;
  /** Of them, revisited one year on (revisit completed): the one-year-on column's n. */
  revisited: number;
  /** Left out of every figure: the family withdrew consent to evaluation (`cohort.ts`). */
  excludedForConsent: number;
  endPoint: EndPoint;
  domains: DomainRow[];
}

export interface OutcomesTable {
  asAt: string;
  /** Under cell-key perturbation: what the counts went through. */
  perturbation?: PerturbationStatement;
  definitions: { sources: string[]; fingerprint: string };
  /** Referred → started → planned exit, and where the others are (`attrition.ts`). */
  attrition: Attrition;
  /** Planned exits and all who started, always both (and all exits when asked for). */
  cohorts: CohortTable[];
}

/**
 * Which episodes answer a query: the live read model, unless `asAt` is before something the model
 * has applied; then the slow path re-derives episodes from the events recorded by `asAt`.
 */
export async function sourceFor(
  db: DataSource,
  definitions: OutcomeDefinitions,
  filter: CohortFilter,
  asAt: string | undefined,
): Promise<EpisodeSource> {
  const model = await checkedOutcomeModel(db, definitions).catch((e: unknown) => {
    if (!(e instanceof OutcomeDefinitionsChanged)) throw e;
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the outcomes read model is being rebuilt for new outcome definitions',
    });
  });
  const live =
    asAt === undefined ||
    !model?.maxRecordedAt ||
    Date.parse(asAt) >= Date.parse(model.maxRecordedAt);
  if (live) return LIVE;
  return {
    kind: 'rows',
    episodes: await episodesAsAt(db, definitions, { authority: filter.authority }, asAt),
  };
}

/**
 * What every query over the figures reads with: the read models, the outcome definitions and the
 * clock (an answer not asked "as at" is as at now).
 */
@Injectable()
export abstract class FiguresQuery {
  constructor(
    protected readonly db: DataSource,
    @Inject(OUTCOME_DEFINITIONS) protected readonly definitions: OutcomeDefinitions,
    @Inject(CLOCK) protected readonly clock: Clock,
  ) {}

  @Inject(CELL_KEYS) protected readonly cellKeys!: CellKeys;

  /**
   * How an answer under disclosure control publishes its counts: cell-key perturbation, every
   * cell's key scoped by the population the filter matches in `source`.
   */
  protected async published(filter: CohortFilter, source: EpisodeSource): Promise<Published> {
    const population = await populationKey(this.db, filter, source, this.cellKeys.sql);
    return publishedOver(this.cellKeys, population);
  }

  /** What the perturbation was, for the answer to state. */
  protected get perturbation(): PerturbationStatement {
    return perturbationStatement(this.cellKeys.ptable);
  }
}

@QueryHandler(GetOutcomes)
export class GetOutcomesHandler
  extends FiguresQuery
  implements IQueryHandler<GetOutcomes, OutcomesTable>
{
  async execute({ filter, cohorts, asAt, perturbed }: GetOutcomes): Promise<OutcomesTable> {
    const source = await sourceFor(this.db, this.definitions, filter, asAt);
    // Every cohort and the line from the same episodes, asked side by side.
    const [line, ...counts] = perturbed
      ? await this.perturbed(filter, cohorts, source)
      : await Promise.all([
          attrition(this.db, filter, source),
          ...cohorts.map((c) => outcomeCounts(this.db, this.definitions, filter, c, source)),
        ]);
    return {
      asAt: asAt ?? this.clock.now().toISOString(),
      ...(perturbed ? { perturbation: this.perturbation } : {}),
      definitions: { sources: this.definitions.sources, fingerprint: this.definitions.fingerprint },
      attrition: line,
      cohorts: cohorts.map((kind, k) => ({
        kind,
        description: COHORT_TEXT[kind],
        families: counts[k].families,
        revisited: counts[k].revisited,
        excludedForConsent: counts[k].excludedForConsent,
        endPoint: endPointOf(kind),
        domains: this.definitions.domains.map((d, i) => domainRow(d, counts[k].domains[i])),
      })),
    };
  }

  /**
   * The line and the cohorts' counts under cell-key perturbation: every finest cell published
   * through one publisher scoped by the query's population; all who started are the line's own
   * step (`onTheLine`).
   */
  private async perturbed(
    filter: CohortFilter,
    cohorts: readonly CohortKind[],
    source: EpisodeSource,
  ): Promise<[Attrition, ...OutcomeCounts[]]> {
    const { keys, publish } = await this.published(filter, source);
    const [line, ...cells] = await Promise.all([
      attrition(this.db, filter, source, { keys, publish }),
      ...cohorts.map((c) => outcomeCells(this.db, this.definitions, filter, c, source, keys)),
    ]);
    return [
      line,
      ...cells.map((c, k) =>
        onTheLine(countsFromCells(this.definitions, c, publish), cohorts[k], line),
      ),
    ];
  }
}

export type Summary = CohortSummary & {
  asAt: string;
  followUps: FollowUpRates;
  /** Under cell-key perturbation: what the counts went through. */
  perturbation?: PerturbationStatement;
};

@QueryHandler(GetCohortSummary)
export class GetCohortSummaryHandler
  extends FiguresQuery
  implements IQueryHandler<GetCohortSummary, Summary>
{
  async execute({ filter, asAt, perturbed }: GetCohortSummary): Promise<Summary> {
    const source = await sourceFor(this.db, this.definitions, filter, asAt);
    const at = asAt ?? this.clock.now().toISOString();
    // One publisher for the summary and its revisits: the same population's scope.
    const published = perturbed ? await this.published(filter, source) : undefined;
    const summary = await cohortSummary(this.db, filter, source, published);
    // Revisits of the cohort's exits as they stood at `asAt` (folded from the events recorded by
    // then whenever the episodes are), overdue judged at `asAt`.
    const revisits: FollowUpSource =
      source.kind === 'rows'
        ? {
            kind: 'rows',
            rows: await followUpsAsAt(this.db, filter.authority, at),
            referrals: source.episodes.map((e) => ({
              family_id: e.familyId,
              episode: e.episode,
              referred_at: e.referredAt,
            })),
          }
        : { kind: 'table' };
    const followUps = await followUpRates(this.db, filter, new Date(at), revisits, published);
    return {
      asAt: at,
      ...(perturbed ? { perturbation: this.perturbation } : {}),
      ...summary,
      followUps,
    };
  }
}
