import { loadConfig } from '@app/config';
import { LOGGING_START, createLogger } from '@app/observability';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  // The environment, read and checked once: a broken value stops here, naming the variable.
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(loadConfig()),
    LOGGING_START,
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.enableShutdownHooks();
}

main().catch((e: unknown) => {
  // Refusing to start (e.g. a Redis that may evict jobs) must stop the process, loudly.
  createLogger('worker').fatal(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(1);
});
