import { Clock } from '@app/domain';
import { FollowUpRates, FollowUpSource, followUpRates, followUpsAsAt } from '@app/follow-ups';
import {
  CohortFilter,
  CohortKind,
  CohortSummary,
  DomainRow,
  EpisodeSource,
  LIVE,
  OutcomeDefinitions,
  cohortSummary,
  domainRow,
  EndPoint,
  endPointOf,
  episodesAsAt,
  outcomeCounts,
  checkedOutcomeModel,
  OutcomeDefinitionsChanged,
} from '@app/outcomes';
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { CLOCK } from '../clock';

/** Injection token of the loaded `OutcomeDefinitions`. */
export const OUTCOME_DEFINITIONS = Symbol('OutcomeDefinitions');

export class GetOutcomes {
  constructor(
    readonly filter: CohortFilter,
    readonly cohort: CohortKind,
    readonly asAt?: string,
  ) {}
}

export class GetCohortSummary {
  constructor(
    readonly filter: CohortFilter,
    readonly asAt?: string,
  ) {}
}

export interface OutcomesTable {
  cohort: {
    kind: CohortKind;
    families: number;
    /** Of them, revisited one year on (revisit completed): the one-year-on column's n. */
    revisited: number;
    /** Left out of every figure: the family withdrew consent to evaluation (`cohort.ts`). */
    excludedForConsent: number;
    endPoint: EndPoint;
  };
  asAt: string;
  definitions: { sources: string[]; fingerprint: string };
  domains: DomainRow[];
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
}

@QueryHandler(GetOutcomes)
export class GetOutcomesHandler
  extends FiguresQuery
  implements IQueryHandler<GetOutcomes, OutcomesTable>
{
  async execute({ filter, cohort, asAt }: GetOutcomes): Promise<OutcomesTable> {
    const source = await sourceFor(this.db, this.definitions, filter, asAt);
    const counts = await outcomeCounts(this.db, this.definitions, filter, cohort, source);
    return {
      cohort: {
        kind: cohort,
        families: counts.families,
        revisited: counts.revisited,
        excludedForConsent: counts.excludedForConsent,
        endPoint: endPointOf(cohort),
      },
      asAt: asAt ?? this.clock.now().toISOString(),
      definitions: { sources: this.definitions.sources, fingerprint: this.definitions.fingerprint },
      domains: this.definitions.domains.map((d, i) => domainRow(d, counts.domains[i])),
    };
  }
}

export type Summary = CohortSummary & { asAt: string; followUps: FollowUpRates };

@QueryHandler(GetCohortSummary)
export class GetCohortSummaryHandler
  extends FiguresQuery
  implements IQueryHandler<GetCohortSummary, Summary>
{
  async execute({ filter, asAt }: GetCohortSummary): Promise<Summary> {
    const source = await sourceFor(this.db, this.definitions, filter, asAt);
    const at = asAt ?? this.clock.now().toISOString();
    const summary = await cohortSummary(this.db, filter, source);
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
    const followUps = await followUpRates(this.db, filter, new Date(at), revisits);
    return { asAt: at, ...summary, followUps };
  }
}
