/**
 * The one provider of Redis connections and BullMQ queues for the API, the worker and the CLI:
 * `RedisLinks` (global through `RedisLinksModule`) opens one link per URL, the queues on it, and
 * the PING probe of the health checks. Nothing else opens a Redis connection.
 */
import { APP_CONFIG } from '@app/config';
import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis, { Redis } from 'ioredis';
import { isRedisConnectionError, redisAddress, redisAnswers } from './redis';

/** How often, at most, "Redis is not answering" is logged while it stays down. */
export const REDIS_DOWN_LOG_EVERY_MS = 60_000;

/** How long a worker module's start-up gives Redis to answer before starting without it. */
export const REDIS_START_WAIT_MS = 2000;

/**
 * One Redis connection for BullMQ queues and workers (follow-ups and returns), and the one place
 * that says Redis is down: ioredis retries for ever in the background, and every
 * connection error — the connection's own and those BullMQ re-emits — comes here, to be logged
 * as one line a minute naming the address (never the URL: it may hold a password). Nothing in
 * start-up waits for it, so projections run whatever Redis does.
 */
export class RedisLink {
  readonly connection: Redis;
  readonly address: string;
  private lastWarnedAt = -Infinity;
  private wasDown = false;

  constructor(
    url: string,
    private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>,
    private readonly now: () => number = Date.now,
  ) {
    this.address = redisAddress(url);
    this.connection = new IORedis(url, {
      // BullMQ's workers need it; commands wait for the connection to come back.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.connection.on('error', (e) => this.failed(e));
    this.connection.on('ready', () => {
      if (!this.wasDown) return;
      this.wasDown = false;
      this.lastWarnedAt = -Infinity;
      this.logger.log(`Redis at ${this.address} answers again: follow-up work and returns resume`);
    });
  }

  get isUp(): boolean {
    return this.connection.status === 'ready';
  }

  /** Resolves true once the connection is ready, false after `timeoutMs`. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return true;
    return new Promise<boolean>((resolve) => {
      const done = (up: boolean) => {
        clearTimeout(timer);
        this.connection.off('ready', onReady);
        resolve(up);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.connection.on('ready', onReady);
    });
  }

  /** Redis is not answering: says so at most once a minute. */
  down(reason?: string): void {
    this.wasDown = true;
    if (this.now() - this.lastWarnedAt < REDIS_DOWN_LOG_EVERY_MS) return;
    this.lastWarnedAt = this.now();
    this.logger.warn(
      `Redis is not answering at ${this.address}${reason ? ` (${reason})` : ''}: follow-up work and returns are paused and resume by themselves when it answers`,
    );
  }

  /** An error from BullMQ or ioredis: connection trouble is `down()`, anything else is logged. */
  failed(e: unknown, context?: string): void {
    if (isRedisConnectionError(e)) return this.down(codeOf(e));
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.logger.error(context ? `${context}: ${message}` : message);
  }

  /** A logger for the engines: their connection errors go through `failed`. */
  engineLogger(logger: Pick<Logger, 'log' | 'error'>): {
    log(m: string): void;
    error(m: string): void;
  } {
    return {
      log: (m) => logger.log(m),
      error: (m) => (isRedisConnectionError(m) ? this.down(codeOf(m)) : logger.error(m)),
    };
  }

  /**
   * Closes an engine's queues and workers. With Redis down their commands would wait in the
   * offline queue for ever (a SIGTERM that never ends the process), so the link is cut first and
   * they fail at once; the close is not waited for beyond a few seconds either way.
   */
  async shutdown(close: () => Promise<void>): Promise<void> {
    if (!this.isUp) this.close();
    await Promise.race([
      close().catch(() => undefined),
      new Promise((r) => setTimeout(r, 5000).unref()),
    ]);
  }

  close(): void {
    this.connection.disconnect();
  }
}

const codeOf = (e: unknown): string =>
  (e as { code?: string }).code ??
  /\b(E[A-Z]+)\b/.exec(e instanceof Error ? e.message : String(e))?.[1] ??
  'connection lost';

/**
 * Redis links, one per URL (follow-ups and returns share one by default: `REDIS_URL`), and BullMQ
 * queues on them, one per name and key prefix. Closed at shutdown, after every engine has closed
 * its own queues and workers (their `beforeApplicationShutdown`).
 */
@Injectable()
export class RedisLinks implements OnApplicationShutdown {
  private readonly links = new Map<string, RedisLink>();
  private readonly queues = new Map<string, { link: RedisLink; queue: Queue }>();

  constructor(@Inject(APP_CONFIG) private readonly config: { redisUrl: string }) {}

  /** The configured Redis (`REDIS_URL`), or another. */
  get(url: string = this.config.redisUrl): RedisLink {
    let link = this.links.get(url);
    if (!link) {
      link = new RedisLink(url, new Logger('redis'));
      this.links.set(url, link);
    }
    return link;
  }

  /** A BullMQ queue on the shared link (to add jobs or count them; workers are the engines'). */
  queue(name: string, prefix: string, url: string = this.config.redisUrl): Queue {
    const key = JSON.stringify([url, prefix, name]);
    let entry = this.queues.get(key);
    if (!entry) {
      const link = this.get(url);
      const queue = new Queue(name, { connection: link.connection, prefix });
      queue.on('error', (e) => link.failed(e, `queue ${name}`));
      entry = { link, queue };
      this.queues.set(key, entry);
    }
    return entry.queue;
  }

  /**
   * Whether Redis answers a PING within `timeoutMs`: a probe of its own (one attempt, nothing
   * logged), so a health check never waits behind the link's reconnection.
   */
  answers(timeoutMs: number, url: string = this.config.redisUrl): Promise<boolean> {
    return redisAnswers(url, timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map(({ link, queue }) => link.shutdown(() => queue.close())));
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}

/** Global: every module that needs Redis injects `RedisLinks` (the app provides `APP_CONFIG`). */
@Global()
@Module({ providers: [RedisLinks], exports: [RedisLinks] })
export class RedisLinksModule {}
