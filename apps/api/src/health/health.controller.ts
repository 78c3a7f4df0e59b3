import { EVENT_STORE, EventStore } from '@app/event-store';
import { projectionCheckpoints } from '@app/projections';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { Response } from 'express';
import { DataSource } from 'typeorm';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/decorators';
import { RETRY_AFTER_SECONDS } from '../http/problems';

/**
 * Liveness and readiness: the process answers, the database answers, and how far each
 * projection is behind the log (events, and age of the oldest event not yet applied).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @Public()
  @SkipThrottle()
  async health(@Res() res: Response): Promise<void> {
    try {
      const head = await this.store.headPosition();
      const checkpoints = await projectionCheckpoints(this.db);
      const projections = await Promise.all(
        [...checkpoints.entries()].map(async ([name, position]) => {
          const behind = position < head ? await this.store.readAll(position, { limit: 1 }) : [];
          const oldest = behind[0]?.metadata.recordedAt;
          return {
            name,
            position: position.toString(),
            caughtUp: position >= head,
            lagSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0,
          };
        }),
      );
      res
        .status(200)
        .json({ status: 'ok', database: 'up', headPosition: head.toString(), projections });
    } catch {
      res
        .status(503)
        .setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
        .json({ status: 'unavailable', database: 'down' });
    }
  }
}
