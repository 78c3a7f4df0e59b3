import { APP_CONFIG, AppConfig } from '@app/config';
import { FAMILY_STREAM_PREFIX } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { OutcomeDefinitions } from '@app/outcomes';
import { ProjectionRunner } from '@app/projections';
import { allProjections } from '@app/read-models';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackgroundService } from './lifecycle';

/** The outcome definitions the worker loaded at start (`OutcomeDefinitions`). */
export const WORKER_DEFINITIONS = Symbol('WorkerDefinitions');

/** Runs every projection from its checkpoint for as long as the worker lives. */
@Injectable()
export class Projections extends BackgroundService {
  private readonly runner: ProjectionRunner;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(WORKER_DEFINITIONS) definitions: OutcomeDefinitions,
  ) {
    super();
    const logger = new Logger('projections');
    this.runner = new ProjectionRunner(store, dataSource, allProjections(definitions), {
      streamPrefixes: [FAMILY_STREAM_PREFIX],
      batchSize: config.projections.batchSize,
      analyzeAfter: config.projections.analyzeAfter,
      logger: { log: (m) => logger.log(m), error: (m) => logger.error(m) },
    });
  }

  /** Refuses to start (the worker exits, saying to rebuild) on checkpoints of another store. */
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.verify();
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
