import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Environment, variableDocs } from './environment';

/** The environment as given: names to strings (`process.env`, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The configuration every app runs with: read and checked once, at start-up, by `loadConfig`. */
export interface AppConfig {
  production: boolean;
  /** `LOG_LEVEL`, else `info` (`warn` for the CLI and under `NODE_ENV=test`). */
  logLevel?: string;
  nodeEnv?: string;
  http: { port: number; host: string };
  storage: {
    database: { url: string; migrationUrl?: string; schema?: string };
    eventStore: 'postgres' | 'eventstoredb';
    eventStoreConnectionString?: string;
  };
  redisUrl: string;
  projections: { batchSize: number; analyzeAfter: number; rebuildWorkers?: number };
  workerHeartbeatFile?: string;
  outcomeDefinitionsDir?: string;
  /** Authorities' additions to the code lists (`loadCodeLists` in @app/recording). */
  codeListsDir?: string;
  unitCostTablesDir?: string;
  followUps: {
    enabled: boolean;
    redisUrl: string;
    prefix?: string;
    sweepEveryMs: number;
    webhookUrl?: string;
    policyFile?: string;
  };
  returns: {
    enabled: boolean;
    redisUrl: string;
    prefix?: string;
    reconcileEveryMs: number;
    lockMs: number;
  };
  extractRecipientKeys: { file?: string; inline?: string };
  disclosureThreshold: number;
  /**
   * The secret of cell-key perturbation's record keys (`CELL_KEY_SECRET`). Changing it changes
   * every perturbed figure, so it is set once per deployment and kept. Unset: derived from the
   * personal-data master key (`cellKeySecretFrom` in @app/security).
   */
  cellKeySecret?: string;
  auth: {
    jwtSecret?: string;
    devSecretFile: string;
    /** Requests a minute per caller; undefined with `RATE_LIMIT=off`. */
    ratePerMinute: number;
    refusalsPerMinute: number;
    rateLimited: boolean;
  };
  personalData: { masterKey?: string; devKeyFile: string };
}

/** The environment breaks a rule: the process must not start. Names every variable at fault. */
export class ConfigInvalid extends Error {
  override readonly name = 'ConfigInvalid';
  constructor(readonly problems: string[]) {
    super(`configuration invalid: ${problems.join('; ')}`);
  }
}

const problemsOf = (errors: ValidationError[], env: Env): string[] =>
  errors.flatMap((e) => {
    const shown = variableDocs().get(e.property)?.secret
      ? ''
      : ` (got ${JSON.stringify(env[e.property])})`;
    // One message per variable: its first broken rule (they all say the whole rule).
    const message = Object.values(e.constraints ?? {})[0] ?? `${e.property} is invalid`;
    return [`${message}${shown}`];
  });

/** The variables `Environment` declares, as given (an empty string counts as unset). */
function declared(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of variableDocs().keys()) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** The environment checked against `Environment`: typed, defaults filled in, or `ConfigInvalid`. */
export function validateEnvironment(env: Env): Environment {
  const given = declared(env);
  const parsed = plainToInstance(Environment, given, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { forbidUnknownValues: true });
  if (errors.length) throw new ConfigInvalid(problemsOf(errors, given));
  return parsed;
}

/**
 * The configuration from the environment, checked once at start-up. A value that breaks its
 * rule (a typo, a number out of range) throws `ConfigInvalid` naming the variable and the rule.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const e = validateEnvironment(env);
  const followUpPrefix = e.FOLLOW_UP_QUEUE_PREFIX;
  return {
    production: e.NODE_ENV === 'production',
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { port: e.PORT, host: e.HOST },
    storage: {
      database: {
        url: e.DATABASE_URL,
        migrationUrl: e.DATABASE_MIGRATION_URL,
        schema: e.DATABASE_SCHEMA,
      },
      eventStore: e.EVENT_STORE,
      eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING,
    },
    redisUrl: e.REDIS_URL,
    projections: {
      batchSize: e.PROJECTION_BATCH_SIZE,
      analyzeAfter: e.PROJECTION_ANALYZE_AFTER,
      rebuildWorkers: e.REBUILD_WORKERS,
    },
    workerHeartbeatFile: e.WORKER_HEARTBEAT_FILE,
    outcomeDefinitionsDir: e.OUTCOME_DEFINITIONS_DIR,
    codeListsDir: e.CODE_LISTS_DIR,
    unitCostTablesDir: e.UNIT_COST_TABLES_DIR,
    followUps: {
      enabled: e.FOLLOW_UPS === 'on',
      redisUrl: e.REDIS_URL,
      prefix: followUpPrefix,
      sweepEveryMs: e.FOLLOW_UP_SWEEP_EVERY_MS,
      webhookUrl: e.FOLLOW_UP_WEBHOOK_URL,
      policyFile: e.FOLLOW_UP_POLICY_FILE,
    },
    returns: {
      enabled: e.RETURNS === 'on',
      redisUrl: e.REDIS_URL,
      prefix: e.RETURNS_QUEUE_PREFIX ?? followUpPrefix,
      reconcileEveryMs: e.RETURNS_RECONCILE_EVERY_MS,
      lockMs: e.RETURNS_LOCK_MS,
    },
    extractRecipientKeys: { file: e.EXTRACT_RECIPIENT_KEYS_FILE, inline: e.EXTRACT_RECIPIENT_KEYS },
    disclosureThreshold: e.DISCLOSURE_THRESHOLD,
    cellKeySecret: e.CELL_KEY_SECRET,
    auth: {
      jwtSecret: e.AUTH_JWT_SECRET,
      devSecretFile:
        e.AUTH_DEV_SECRET_FILE ?? join(homedir(), '.outcomes-ledger', 'dev-jwt-secret'),
      ratePerMinute: e.RATE_LIMIT_PER_MINUTE,
      refusalsPerMinute: e.REFUSALS_PER_MINUTE,
      rateLimited: e.RATE_LIMIT === 'on',
    },
    personalData: {
      masterKey: e.PII_MASTER_KEY,
      devKeyFile: e.PII_DEV_KEY_FILE ?? join(homedir(), '.outcomes-ledger', 'dev-pii-master-key'),
    },
  };
}
