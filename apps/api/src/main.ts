import { Logger } from 'nestjs-pino';
import { createLogger } from '@app/observability';
import { createApi } from './api';

async function main(): Promise<void> {
  const app = await createApi();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  app.get(Logger).log(`listening on ${await app.getUrl()}`, 'api');
}

main().catch((e: unknown) => {
  createLogger('api').fatal({ err: e }, 'the API could not start');
  process.exit(1);
});
