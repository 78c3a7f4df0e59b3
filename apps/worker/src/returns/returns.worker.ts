import { EVENT_STORE, EventStore } from '@app/event-store';
import { claimQueues, queuePrefix } from '@app/follow-ups';
import { OutcomeDefinitions } from '@app/outcomes';
import {
  CellKeys,
  ReturnsConfig,
  ReturnsEngine,
  savingsCostAvoidance,
  softwareVersion,
} from '@app/returns';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackgroundService } from '../lifecycle';
import { REDIS_START_WAIT_MS, RedisLink, RedisLinks } from '../redis/redis-link';

export const RETURNS_CONFIG = Symbol('ReturnsConfig');
export const DEFINITIONS = Symbol('OutcomeDefinitions');
/** The deployment's record keys and ptable (cell-key perturbation of every return). */
export const CELL_KEYS = Symbol('CellKeys');

/**
 * Builds national returns from the `returns` queue; on start (and then periodically) queues
 * again every request still unfinished, so a flushed Redis or a crash mid-build loses nothing.
 */
@Injectable()
export class ReturnsWorker extends BackgroundService {
  private engine?: ReturnsEngine;
  private link?: RedisLink;

  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RETURNS_CONFIG) private readonly config: ReturnsConfig,
    @Inject(DEFINITIONS) private readonly definitions: OutcomeDefinitions,
    @Inject(CELL_KEYS) private readonly cellKeys: CellKeys,
    private readonly links: RedisLinks,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const logger = new Logger('returns');
    // The shared link: waited for briefly only to claim the queues (a foreign deployment's are
    // refused, the process exits); its outages are logged once a minute (not per retry).
    const link = (this.link = this.links.get(this.config.redisUrl));
    const { id } = await this.store.identity();
    const prefix = queuePrefix(this.config.prefix, id);
    if (await link.whenReady(REDIS_START_WAIT_MS)) await claimQueues(link.connection, prefix, id);
    this.engine = new ReturnsEngine({
      db: this.db,
      redis: link.connection,
      prefix,
      definitions: this.definitions,
      software: softwareVersion(),
      cellKeys: this.cellKeys,
      costs: savingsCostAvoidance(),
      logger: link.engineLogger(logger),
    });
    this.engine.start(this.config.reconcileEveryMs, this.config.lockMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.engine) await this.link!.shutdown(() => this.engine!.close());
  }
}
