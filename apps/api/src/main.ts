import { createApi } from './api';

async function main(): Promise<void> {
  const app = await createApi();
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
}

void main();
