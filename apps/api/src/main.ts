import { Logger } from 'nestjs-pino';
import { loadConfig } from '@app/config';
import { createLogger } from '@app/observability';
import { createApi } from './api';

async function main(): Promise<void> {
  // The environment, read and checked once: a broken value stops here, naming the variable.
  const config = loadConfig();
  const app = await createApi(undefined, config);
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`listening on ${await app.getUrl()}`, 'api');
}

main().catch((e: unknown) => {
  createLogger('api').fatal({ err: e }, 'the API could not start');
  process.exit(1);
});
