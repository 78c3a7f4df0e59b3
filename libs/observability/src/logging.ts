/**
 * Structured JSON logs (pino) for the API, the worker and the CLI: one line per event, with the
 * service, and for HTTP the correlation id. No personal data and no credentials: request lines
 * carry only method, URL (ids and codes, never names), status and time; headers and bodies are
 * never logged, and credential headers are redacted should anything log them anyway.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';

export type Service = 'api' | 'worker' | 'cli';

export const CORRELATION_HEADER = 'x-correlation-id';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'req.body',
  'body',
];

/** What sets the level: `LOG_LEVEL` and `NODE_ENV` as configured (`AppConfig`). */
export interface LogSettings {
  logLevel?: string;
  nodeEnv?: string;
}

export function loggerOptions(service: Service, settings: LogSettings = {}): LoggerOptions {
  return {
    // The CLI talks to a person on stderr: only what needs their attention.
    level:
      settings.logLevel ?? (settings.nodeEnv === 'test' || service === 'cli' ? 'warn' : 'info'),
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED, censor: '[redacted]' },
  };
}

/**
 * A plain pino logger (for code outside Nest: start-up failures, the CLI's errors). Without
 * settings (the configuration may be what failed) it logs at the service's default level.
 */
export const createLogger = (
  service: Service,
  destination: DestinationStream = pino.destination(service === 'cli' ? 2 : 1),
  settings: LogSettings = {},
): Logger => pino(loggerOptions(service, settings), destination);

/** A caller's correlation id if it is a plain token; otherwise a fresh one (never echo junk). */
export function correlationId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : randomUUID();
}

/**
 * Nest start-up options for pino: logs wait for the pino logger (no coloured text lines first),
 * and a failed start throws to the caller, who logs it through pino and exits, instead of Nest
 * printing the buffer and the error as text.
 */
export const LOGGING_START = {
  bufferLogs: true,
  autoFlushLogs: false,
  abortOnError: false,
} as const;

/** Query parameters that name a credential (`access_token`, `api_key`, `token`, `jwt`…). */
const CREDENTIAL_PARAM =
  /token|key|secret|password|passwd|auth(?!ority)|jwt|session|signature|sig$|code$/i;
/** Values that look like one whatever their name: a JWT, an API key, a bearer string. */
const CREDENTIAL_VALUE = /^(ey[\w-]+\.[\w-]+\.[\w-]*|olk_\S+|bearer\s.+)$/i;

/**
 * A request URL fit for the log: the path as it is (ids and codes), and in the query string the
 * value of any credential-like parameter, or any value shaped like a credential, blanked. A
 * client that puts its token in the URL (refused: 401) must not leave it in the log.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const [name, value] of [...params]) {
    if (CREDENTIAL_PARAM.test(name) || CREDENTIAL_VALUE.test(value)) {
      params.set(name, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

/** Routes whose every request would drown the log (probes and scrapes). */
const QUIET = /^\/(health|metrics)(\?|$)/;

/**
 * Nest's logger as pino (`app.useLogger(app.get(PinoLogger))`); for the API also one line per
 * request, with the correlation id, echoed as `X-Correlation-Id` and handed to the write path.
 */
export function loggingModule(
  service: Service,
  settings: LogSettings,
  // The CLI writes results on stdout, so its logs go to stderr. The services write without
  // blocking: a synchronous write per request line was ~4 % of the API's CPU under load, and
  // lines that arrive while one is being written go out together.
  destination: DestinationStream = pino.destination({
    dest: service === 'cli' ? 2 : 1,
    sync: service === 'cli',
  }),
): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        ...loggerOptions(service, settings),
        genReqId: (req: IncomingMessage, res: ServerResponse) => {
          const id = correlationId(req.headers[CORRELATION_HEADER]);
          // The controllers read the header into the events' metadata: one id end to end.
          req.headers[CORRELATION_HEADER] = id;
          res.setHeader('X-Correlation-Id', id);
          return id;
        },
        customAttributeKeys: { reqId: 'correlationId' },
        quietReqLogger: true,
        serializers: {
          req: (req: { method: string; url: string }) => ({
            method: req.method,
            url: redactUrl(req.url),
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        // A refused request (4xx) is the caller's business, not the operator's: info, like any.
        customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
        autoLogging: { ignore: (req) => QUIET.test(req.url ?? '') },
      },
      destination,
    ],
  });
}
