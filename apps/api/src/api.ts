import { StorageConfig } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { LOGGING_START } from '@app/observability';
import { AppModule } from './app.module';
import { setupDocs } from './docs/openapi';
import { Metrics } from './metrics/metrics';

/** The HTTP application as it runs in production; tests build it the same way. */
export async function createApi(config?: StorageConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    ...LOGGING_START,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.use(app.get(Metrics).httpMiddleware());
  // Strict JSON (objects and arrays only); 2 MB fits a 1,000-event batch.
  app.useBodyParser('json', { limit: '2mb', strict: true });
  app.enableShutdownHooks();
  setupDocs(app);
  return app;
}
