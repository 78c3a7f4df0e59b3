import { storageConfigFromEnv } from '@app/event-store';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(storageConfigFromEnv()),
  );
  app.enableShutdownHooks();
}

main().catch((e: unknown) => {
  // Refusing to start (e.g. a Redis that may evict jobs) must stop the process, loudly.
  new Logger('worker').error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(1);
});
