import { Controller, Get, Res } from '@nestjs/common';
import { Response } from 'express';
import { Principal } from '@app/security';
import { Allow, CurrentPrincipal } from '../auth/decorators';
import { requireNational } from '../auth/scope';
import { Metrics } from './metrics';

/**
 * Prometheus scrape target; scrapers authenticate with a national API key holding `metrics:read`
 * (the figures span every authority: follow-up counts per authority, the log's head, queues).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Allow('metrics:read')
  async scrape(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    requireNational(principal, 'metrics');
    const text = await this.metrics.scrape();
    res.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}
