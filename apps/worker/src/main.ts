import { storageConfigFromEnv } from '@app/event-store';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(storageConfigFromEnv()),
  );
  app.enableShutdownHooks();
}

void main();
