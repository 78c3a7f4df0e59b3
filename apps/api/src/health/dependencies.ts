import { EVENT_STORE, EventStore } from '@app/event-store';
import { RedisLinks } from '@app/follow-ups';
import { projectionCheckpoints } from '@app/projections';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type DependencyState = 'up' | 'down' | 'lagging';

/** A projection further behind than this (age of its oldest unapplied event) is `lagging`. */
export const LAGGING_AFTER_SECONDS = 60;

/** How long one check may take before its dependency counts as down. */
const CHECK_TIMEOUT_MS = 2000;

export interface ProjectionHealth {
  name: string;
  state: DependencyState;
  position: string;
  caughtUp: boolean;
  lagSeconds: number;
}

export interface DependencyReport {
  database: DependencyState;
  eventStore: DependencyState;
  redis: DependencyState;
  headPosition?: string;
  projections: ProjectionHealth[];
}

const within = <T>(work: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);

const state = async (check: () => Promise<unknown>): Promise<DependencyState> =>
  within(check()).then(
    () => 'up' as const,
    () => 'down' as const,
  );

/**
 * The one check of what the API depends on, for `/health` and for `outcomes_dependency_up`:
 * PostgreSQL (a `SELECT 1` on the read models' pool), the event store (through its own port,
 * `lastPosition()`, so the EventStoreDB adapter answers for itself), Redis (a PING; the queues of
 * follow-ups and returns need it, the API's reads and writes do not), and each projection's lag.
 */
@Injectable()
export class Dependencies {
  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly redis: RedisLinks,
  ) {}

  /** PostgreSQL and the event store only: what readiness needs. */
  async serving(): Promise<Pick<DependencyReport, 'database' | 'eventStore'>> {
    const [database, eventStore] = await Promise.all([
      state(() => this.db.query('SELECT 1')),
      state(() => this.store.lastPosition()),
    ]);
    return { database, eventStore };
  }

  async check(): Promise<DependencyReport> {
    const [{ database, eventStore }, redis] = await Promise.all([
      this.serving(),
      within(this.redis.answers(CHECK_TIMEOUT_MS)).then(
        (up) => (up ? ('up' as const) : ('down' as const)),
        () => 'down' as const,
      ),
    ]);
    const report: DependencyReport = { database, eventStore, redis, projections: [] };
    if (database === 'up' && eventStore === 'up') {
      await within(this.readProjections(report)).catch(() => {
        report.projections = report.projections.map((p) => ({ ...p, state: 'down' }));
      });
    }
    return report;
  }

  /** Ready to serve: the database and the event store answer. */
  static ready(report: Pick<DependencyReport, 'database' | 'eventStore'>): boolean {
    return report.database === 'up' && report.eventStore === 'up';
  }

  /** Everything up: no dependency down, no projection lagging. */
  static healthy(report: DependencyReport): boolean {
    return (
      Dependencies.ready(report) &&
      report.redis === 'up' &&
      report.projections.every((p) => p.state === 'up')
    );
  }

  private async readProjections(report: DependencyReport): Promise<void> {
    const head = await this.store.headPosition();
    report.headPosition = head.toString();
    const checkpoints = await projectionCheckpoints(this.db);
    report.projections = await Promise.all(
      [...checkpoints.entries()].map(async ([name, position]) => {
        const behind = position < head ? await this.store.readAll(position, { limit: 1 }) : [];
        const oldest = behind[0]?.metadata.recordedAt;
        const lagSeconds = oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0;
        return {
          name,
          state: lagSeconds > LAGGING_AFTER_SECONDS ? ('lagging' as const) : ('up' as const),
          position: position.toString(),
          caughtUp: position >= head,
          lagSeconds,
        };
      }),
    );
  }
}
