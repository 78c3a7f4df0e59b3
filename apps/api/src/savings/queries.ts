import { APP_CONFIG, AppConfig } from '@app/config';
import { CohortFilter, CohortKind, OutcomeDefinitions } from '@app/outcomes';
import { RequestInvalid } from '@app/recording';
import { PerturbationStatement } from '@app/returns';
import {
  CostRegistry,
  SavingsOptionInvalid,
  checkMappings,
  SavingsReport,
  loadCostRegistry,
  savingsFor,
} from '@app/savings';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { FiguresQuery, OUTCOME_DEFINITIONS, sourceFor } from '../outcomes/queries';

/** Injection token of the unit-cost tables and price indexes (`CostRegistry`). */
export const COST_REGISTRY = Symbol('CostRegistry');

/** Loaded and checked once at start: a broken table stops the API from starting. */
export const costRegistryProvider = {
  provide: COST_REGISTRY,
  inject: [OUTCOME_DEFINITIONS, APP_CONFIG],
  useFactory: (definitions: OutcomeDefinitions, config: AppConfig) => {
    const registry = loadCostRegistry({ extraDir: config.unitCostTablesDir });
    checkMappings(registry, definitions.domains);
    return registry;
  },
};

export class GetSavings {
  constructor(
    readonly filter: CohortFilter,
    readonly cohort: CohortKind,
    readonly unitCosts?: string,
    readonly targetPriceYear?: number,
    readonly asAt?: string,
    /** Every count published through cell-key perturbation (under disclosure control). */
    readonly perturbed = false,
  ) {}
}

export type SavingsAnswer = SavingsReport & {
  asAt: string;
  /** Under cell-key perturbation: what the counts went through. */
  perturbation?: PerturbationStatement;
};

@QueryHandler(GetSavings)
export class GetSavingsHandler
  extends FiguresQuery
  implements IQueryHandler<GetSavings, SavingsAnswer>
{
  @Inject(COST_REGISTRY) private readonly registry!: CostRegistry;

  async execute(q: GetSavings): Promise<SavingsAnswer> {
    const source = await sourceFor(this.db, this.definitions, q.filter, q.asAt);
    try {
      const report = await savingsFor(this.db, q.filter, {
        unitCosts: q.unitCosts,
        targetPriceYear: q.targetPriceYear,
        cohort: q.cohort,
        source,
        // The live model is checked to follow these definitions (sourceFor), and "as at"
        // episodes are derived with them: either way, bit i is domain i.
        domains: this.definitions.domains.map((d) => d.id),
        registry: this.registry,
        ...(q.perturbed ? { published: await this.published(q.filter, source) } : {}),
      });
      return {
        asAt: q.asAt ?? this.clock.now().toISOString(),
        ...report,
        ...(q.perturbed ? { perturbation: this.perturbation } : {}),
      };
    } catch (e) {
      if (e instanceof SavingsOptionInvalid) {
        throw new RequestInvalid([{ field: e.field, rule: e.rule, message: e.message }]);
      }
      throw e;
    }
  }
}
