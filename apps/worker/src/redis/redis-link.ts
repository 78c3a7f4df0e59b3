/** The shared Redis provider lives in @app/follow-ups (the API and the CLI use it too). */
export {
  REDIS_DOWN_LOG_EVERY_MS,
  REDIS_START_WAIT_MS,
  RedisLink,
  RedisLinks,
  RedisLinksModule,
} from '@app/follow-ups';
