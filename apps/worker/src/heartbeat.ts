import { writeFile } from 'node:fs/promises';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const HEARTBEAT_EVERY_MS = 10_000;

/**
 * For a container health check: rewrites `WORKER_HEARTBEAT_FILE` (when set) every 10 s while the
 * worker's database answers, so a stale file means a stuck or disconnected worker.
 */
@Injectable()
export class Heartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly logger = new Logger('heartbeat');

  constructor(
    private readonly db: DataSource,
    private readonly file: string | undefined,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.file) return;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_EVERY_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    try {
      await this.db.query('SELECT 1');
      await writeFile(this.file!, new Date().toISOString());
    } catch (e) {
      this.logger.error(`no heartbeat: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
