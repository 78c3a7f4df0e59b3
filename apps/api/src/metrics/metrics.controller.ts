import { Controller, Get, Res } from '@nestjs/common';
import { Response } from 'express';
import { Allow } from '../auth/decorators';
import { Metrics } from './metrics';

/** Prometheus scrape target; scrapers authenticate with an API key holding `metrics:read`. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Allow('metrics:read')
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    const text = await this.metrics.scrape();
    res.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}
