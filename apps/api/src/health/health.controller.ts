import { Controller, Get, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { Response } from 'express';
import { Public } from '../auth/decorators';
import { RETRY_AFTER_SECONDS } from '../http/problems';
import { Dependencies } from './dependencies';

/**
 * Liveness (`/health/live`: the process answers), readiness (`/health/ready`: it can serve, i.e.
 * PostgreSQL and the event store answer; else 503 with `Retry-After`), and `/health`: each
 * dependency and each projection as `up`, `down` or `lagging`, `status: degraded` when any is not
 * up (503 with `Retry-After` when it cannot serve at all).
 */
@Controller('health')
@SkipThrottle()
export class HealthController {
  constructor(private readonly dependencies: Dependencies) {}

  @Get()
  @Public()
  async health(@Res() res: Response): Promise<void> {
    const report = await this.dependencies.check();
    const ready = Dependencies.ready(report);
    if (!ready) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res
      .status(ready ? 200 : 503)
      .json({ status: Dependencies.healthy(report) ? 'ok' : 'degraded', ...report });
  }

  @Get('live')
  @Public()
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  @Public()
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.dependencies.serving();
    if (Dependencies.ready(report)) {
      res.status(200).json({ status: 'ready' });
      return;
    }
    res
      .status(503)
      .setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
      .json({ status: 'unavailable', database: report.database, eventStore: report.eventStore });
  }
}
