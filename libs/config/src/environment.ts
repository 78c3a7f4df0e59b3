/**
 * Every environment variable the API, the worker and the CLI read, in one class: its type, its
 * default (the initialiser), its rule (class-validator decorators, whose messages name the rule)
 * and its meaning (`@Variable`). `loadConfig` validates the environment against it once at
 * start-up; `configurationTable` renders it as docs/configuration.md. Nothing else reads
 * `process.env`.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

export interface VariableDoc {
  /** What it is for, one line (a table cell). */
  meaning: string;
  /** The default as documented, where the initialiser cannot say it (a derived value). */
  shownDefault?: string;
  /** Never echoed in an error message. */
  secret?: boolean;
}

const docs = new Map<string, VariableDoc>();

/** Documents a variable; `configurationTable` lists only documented ones, so all must be. */
const Variable =
  (doc: VariableDoc): PropertyDecorator =>
  (_target, property) => {
    docs.set(String(property), doc);
  };

export const variableDocs = (): ReadonlyMap<string, VariableDoc> => docs;

/** The rules, each message naming the variable (`$property`) and the rule. */
const WholeNumber = (min: number, unit = '', max?: number): PropertyDecorator => {
  const rule = `$property must be a whole number${unit}, at least ${min}${max === undefined ? '' : `, at most ${max}`}`;
  return (target, property) => {
    Type(() => Number)(target, property);
    IsInt({ message: rule })(target, property);
    Min(min, { message: rule })(target, property);
    if (max !== undefined) Max(max, { message: rule })(target, property);
  };
};

const OneOf = (values: readonly string[]): PropertyDecorator =>
  IsIn(values, { message: `$property must be one of ${values.join(', ')}` });

const Optional = (): PropertyDecorator => (target, property) => {
  IsOptional()(target, property);
  IsString()(target, property);
};

export const SWITCH = ['on', 'off'] as const;
export type Switch = (typeof SWITCH)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['production', 'development', 'test'] as const;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class Environment {
  // ---- processes
  @Variable({ meaning: '`production` requires `AUTH_JWT_SECRET` and `PII_MASTER_KEY`' })
  @IsOptional()
  @OneOf(NODE_ENVS)
  NODE_ENV?: (typeof NODE_ENVS)[number];

  @Variable({ meaning: 'pino level', shownDefault: '`info` (CLI and `NODE_ENV=test`: `warn`)' })
  @IsOptional()
  @OneOf(LOG_LEVELS)
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  @Variable({ meaning: 'the port the API listens on' })
  @WholeNumber(0, '', 65535)
  PORT: number = 3000;

  @Variable({ meaning: 'the address the API listens on' })
  @IsString()
  HOST: string = '127.0.0.1';

  // ---- storage
  @Variable({ meaning: "the service's connection (read models, event store)", secret: true })
  @IsString()
  DATABASE_URL: string = DEFAULT_DATABASE_URL;

  @Variable({
    meaning: "the owner's connection: migrations, `outcomes rebuild`",
    shownDefault: '(`DATABASE_URL`)',
    secret: true,
  })
  @Optional()
  DATABASE_MIGRATION_URL?: string;

  @Variable({ meaning: 'PostgreSQL schema to use', shownDefault: "(the role's default)" })
  @Optional()
  @Matches(/^[a-z_][a-z0-9_]*$/, {
    message: '$property must be a lower-case SQL identifier (a-z, 0-9 and _)',
  })
  DATABASE_SCHEMA?: string;

  @Variable({ meaning: 'the event store: `postgres` or `eventstoredb`' })
  @OneOf(['postgres', 'eventstoredb'])
  EVENT_STORE: 'postgres' | 'eventstoredb' = 'postgres';

  @Variable({ meaning: 'EventStoreDB connection string', secret: true })
  @ValidateIf(
    (e: Environment) => e.EVENT_STORE === 'eventstoredb' || !!e.EVENTSTORE_CONNECTION_STRING,
  )
  @IsString({ message: '$property must be set with EVENT_STORE=eventstoredb' })
  EVENTSTORE_CONNECTION_STRING?: string;

  @Variable({ meaning: 'scheduled jobs (follow-ups, returns)', secret: true })
  @Matches(/^rediss?:\/\//, { message: '$property must be a redis:// or rediss:// URL' })
  REDIS_URL: string = DEFAULT_REDIS_URL;

  // ---- projections
  @Variable({ meaning: 'most events a projection applies in one transaction' })
  @WholeNumber(1)
  PROJECTION_BATCH_SIZE: number = 500;

  @Variable({ meaning: 'events a projection applies between ANALYZEs (0: never)' })
  @WholeNumber(0)
  PROJECTION_ANALYZE_AFTER: number = 100_000;

  @Variable({
    meaning: 'threads an `outcomes rebuild` replays the log with',
    shownDefault: 'half the cores',
  })
  @IsOptional()
  @WholeNumber(1)
  REBUILD_WORKERS?: number;

  @Variable({ meaning: 'a file the worker touches while it is healthy (container probe)' })
  @Optional()
  WORKER_HEARTBEAT_FILE?: string;

  @Variable({ meaning: "extra outcome-domain files (`*.json`) added to NatCen's" })
  @Optional()
  OUTCOME_DEFINITIONS_DIR?: string;

  @Variable({
    meaning: "authorities' additions to the code lists (`*.json`, one file an authority)",
    shownDefault: '(none: the built-in lists)',
  })
  @Optional()
  CODE_LISTS_DIR?: string;

  @Variable({ meaning: 'extra unit-cost tables and price indexes (`*.json`)' })
  @Optional()
  UNIT_COST_TABLES_DIR?: string;

  // ---- follow-ups
  @Variable({ meaning: '`off`: the worker runs projections only' })
  @OneOf(SWITCH)
  FOLLOW_UPS: Switch = 'on';

  @Variable({ meaning: 'POSTed when a revisit falls due (ids and dates)', secret: true })
  @Optional()
  FOLLOW_UP_WEBHOOK_URL?: string;

  @Variable({ meaning: 'how often the follow-up sweeper runs (in-process timer)' })
  @WholeNumber(100, ' of milliseconds')
  FOLLOW_UP_SWEEP_EVERY_MS: number = 60_000;

  @Variable({
    meaning: 'BullMQ key prefix (marked in Redis as this deployment’s)',
    shownDefault: '`outcomes-<event store id>`',
  })
  @Optional()
  FOLLOW_UP_QUEUE_PREFIX?: string;

  @Variable({
    meaning: 'a JSON follow-up policy (see docs on follow-ups)',
    shownDefault: '(built-in policy, version 1)',
  })
  @Optional()
  FOLLOW_UP_POLICY_FILE?: string;

  // ---- returns
  @Variable({ meaning: '`off`: the worker builds no returns (requests wait)' })
  @OneOf(SWITCH)
  RETURNS: Switch = 'on';

  @Variable({
    meaning: 'BullMQ key prefix of return builds',
    shownDefault: '`FOLLOW_UP_QUEUE_PREFIX`',
  })
  @Optional()
  RETURNS_QUEUE_PREFIX?: string;

  @Variable({ meaning: 'how often the worker re-queues unfinished returns' })
  @WholeNumber(100, ' of milliseconds')
  RETURNS_RECONCILE_EVERY_MS: number = 60_000;

  @Variable({ meaning: 'a build killed mid-way is taken back after about this' })
  @WholeNumber(500, ' of milliseconds')
  RETURNS_LOCK_MS: number = 30_000;

  @Variable({
    meaning: 'JSON `{recipient: {key, apiKeys: [API key ids]}}`, key ≥ 32',
    shownDefault: '(none: no extracts)',
  })
  @Optional()
  EXTRACT_RECIPIENT_KEYS_FILE?: string;

  @Variable({ meaning: 'the same JSON inline (when there is no file)', secret: true })
  @Optional()
  EXTRACT_RECIPIENT_KEYS?: string;

  @Variable({ meaning: 'evaluator queries suppress counts from 1 to this − 1' })
  @WholeNumber(2)
  DISCLOSURE_THRESHOLD: number = 5;

  @Variable({
    meaning: 'keys the record keys of cell-key perturbation (evaluator figures, returns)',
    shownDefault: 'derived from the personal-data master key',
    secret: true,
  })
  @Optional()
  @MinLength(32, { message: '$property must be at least 32 characters' })
  CELL_KEY_SECRET?: string;

  // ---- security
  @Variable({
    meaning: 'HS256 key for bearer tokens',
    shownDefault: '(required when `NODE_ENV=production`)',
    secret: true,
  })
  @Optional()
  @MinLength(32, { message: '$property must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  @Variable({
    meaning: "the development key's file when `AUTH_JWT_SECRET` unset",
    shownDefault: '`~/.outcomes-ledger/dev-jwt-secret`',
  })
  @Optional()
  AUTH_DEV_SECRET_FILE?: string;

  @Variable({ meaning: 'requests a minute per caller (then `429`, `Retry-After`)' })
  @WholeNumber(1)
  RATE_LIMIT_PER_MINUTE: number = 3000;

  @Variable({ meaning: 'refusals a minute per address (401) or subject (403)' })
  @WholeNumber(1)
  REFUSALS_PER_MINUTE: number = 300;

  @Variable({ meaning: '`off` turns the rate limits off (load tests)' })
  @OneOf(SWITCH)
  RATE_LIMIT: Switch = 'on';

  @Variable({
    meaning: '32 bytes (64 hex digits or base64) wrapping family keys',
    shownDefault: '(required when `NODE_ENV=production`)',
    secret: true,
  })
  @Optional()
  PII_MASTER_KEY?: string;

  @Variable({
    meaning: "the development master key's file when `PII_MASTER_KEY` unset",
    shownDefault: '`~/.outcomes-ledger/dev-pii-master-key`',
  })
  @Optional()
  PII_DEV_KEY_FILE?: string;
}
