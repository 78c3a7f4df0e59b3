import { Server } from 'node:http';
import { AppConfig, loadConfig } from '@app/config';
import { StorageConfig } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NextFunction, Request, Response, json } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { LOGGING_START } from '@app/observability';
import { AppModule } from './app.module';
import { setupDocs } from './docs/openapi';
import { Metrics } from './metrics/metrics';

/**
 * The HTTP application as it runs in production; tests build it the same way (with their own
 * storage). The configuration is read from the environment here unless given.
 */
export async function createApi(
  storage?: StorageConfig,
  config: AppConfig = loadConfig(),
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, storage), {
    bodyParser: false,
    ...LOGGING_START,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // First, so the latency histogram covers every request, refused ones included.
  app.use(app.get(Metrics).httpMiddleware());
  // Security headers (no X-Powered-By, nosniff, frame and referrer policies, HSTS).
  app.use(helmet());
  // Answers hold children's records: no browser or proxy may keep a copy.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Strict JSON (objects and arrays only): 1 MB a request, 2 MB for a 1,000-event batch. The
  // batch's own parser runs first; the general one then sees the body as already read.
  app.use('/v1/events/batch', json({ limit: '2mb', strict: true }));
  app.useBodyParser('json', { limit: '1mb', strict: true });
  app.enableShutdownHooks();
  setupDocs(app);
  // Idle keep-alive connections outlive the client's (and a load balancer's, typically 60 s), so
  // the server never closes a socket just as a client reuses it (ECONNRESET under load).
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return app;
}
