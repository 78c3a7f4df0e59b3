import { STATUS_CODES } from 'node:http';
import { DomainError } from '@app/domain';
import {
  AppendTooLargeError,
  DuplicateEventIdError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
} from '@app/event-store';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { Request, Response } from 'express';
import { CORRELATION_HEADER } from '@app/observability';
import { FamilyExists, FamilyNotFound, OutsideAuthority } from '@app/recording';

export interface Problem {
  status: number;
  body: Record<string, unknown>;
  /** Extra response headers (`Retry-After` on 503). */
  headers?: Record<string, string>;
}

/** Seconds a client should wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

// Connection-level failures (node's socket errors, pg's "connection" class 08, admin shutdown,
// "cannot connect now", too many connections), as opposed to a query the database refused.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i;

/** Whether an error means "the database cannot be reached now" (worth a retry), not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    if (error instanceof AggregateError && e === error) {
      if (error.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    }
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * One mapping from failures to HTTP answers, used by the filter and by the batch endpoint for each
 * item: 400 names the field and rule, 404 an unknown family, 409 the broken invariant or the
 * revision conflict. Anything else is a 500 without details (never a stack trace).
 */
export function toProblem(error: unknown): Problem {
  const problem = (status: number, body: Record<string, unknown>): Problem => ({
    status,
    body: problemBody(status, body),
  });
  if (error instanceof DomainError) {
    return error.kind === 'invalid'
      ? problem(400, {
          message: error.message,
          errors: [{ field: error.field ?? 'body', rule: error.rule, message: error.message }],
        })
      : problem(409, { code: 'invariant_violated', rule: error.rule, message: error.message });
  }
  if (error instanceof WrongExpectedRevisionError) {
    return problem(409, {
      code: 'revision_conflict',
      message: error.message,
      expectedRevision:
        typeof error.expected === 'bigint' ? Number(error.expected) : error.expected,
      actualRevision: typeof error.actual === 'bigint' ? Number(error.actual) : null,
    });
  }
  if (error instanceof DuplicateEventIdError) {
    return problem(409, {
      code: 'duplicate_event_id',
      eventId: error.eventId,
      message: error.message,
    });
  }
  if (error instanceof FamilyNotFound) {
    return problem(404, { message: error.message });
  }
  if (error instanceof OutsideAuthority) {
    return problem(403, { code: 'outside_authority', message: error.message });
  }
  if (error instanceof FamilyExists) {
    return problem(409, { code: 'family_exists', message: error.message });
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const status = error.getStatus();
    return problem(
      status,
      typeof response === 'string' ? { message: response } : (response as Record<string, unknown>),
    );
  }
  if (isClientHttpError(error)) {
    // The body parser's refusals (too large, broken JSON, bad encoding) carry their own 4xx status.
    const type = (error as { type?: unknown }).type;
    const messages: Record<string, string> = {
      'entity.too.large': 'the request body is too large',
      'entity.parse.failed': 'the request body is not valid JSON',
    };
    return problem(error.status, {
      message: messages[String(type)] ?? 'the request body cannot be read',
      ...(error.status === 400
        ? {
            errors: [
              {
                field: 'body',
                rule: String(type ?? 'body'),
                message: 'the request body cannot be read',
              },
            ],
          }
        : {}),
    });
  }
  if (error instanceof AppendTooLargeError) {
    return problem(413, {
      code: 'append_too_large',
      limitBytes: error.limitBytes,
      message: `the events to store exceed the event store's limit of ${error.limitBytes} bytes per write; nothing was stored`,
    });
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      ...problem(503, {
        code: 'event_store_unavailable',
        message: `the event store is unreachable; nothing was stored, retry in ${RETRY_AFTER_SECONDS} s`,
      }),
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      ...problem(503, {
        code: 'database_unavailable',
        message: `the database is unreachable or overloaded; nothing was stored, retry in ${RETRY_AFTER_SECONDS} s`,
      }),
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    };
  }
  return problem(500, { message: 'internal error' });
}

/**
 * An RFC 9457 problem (`type`, `title`, `status`, `detail`) with the API's own members beside it:
 * `statusCode`/`error`/`message` as before, `code`, `errors` (field and rule) and the like.
 */
function problemBody(status: number, body: Record<string, unknown>): Record<string, unknown> {
  const title = STATUS_CODES[status] ?? 'Error';
  return {
    statusCode: status,
    error: title,
    ...body,
    type: 'about:blank',
    title,
    status,
    detail: typeof body.message === 'string' ? body.message : title,
  };
}

/** An `http-errors` error meant for the client (status 4xx, `expose`), as body-parser throws. */
const isClientHttpError = (error: unknown): error is Error & { status: number } => {
  const e = error as { status?: unknown; expose?: unknown } | null;
  return (
    error instanceof Error &&
    typeof e?.status === 'number' &&
    e.status >= 400 &&
    e.status < 500 &&
    e.expose === true
  );
};

/**
 * What the log keeps of an unexpected error: its class, its code (a PostgreSQL SQLSTATE, a node
 * errno) and the request's correlation id, never its message: a database error quotes the value
 * it refused, and that value came from the client (a name, a crafted cursor).
 */
export function internalErrorLine(error: unknown, request?: Pick<Request, 'headers'>): string {
  const e = error as { name?: unknown; code?: unknown } | null;
  const name = error instanceof Error ? error.name : 'unknown error';
  const code = typeof e?.code === 'string' && /^[A-Z0-9_]{1,32}$/.test(e.code) ? e.code : undefined;
  const id = request?.headers[CORRELATION_HEADER];
  return `internal error: ${name}${code ? ` (code ${code})` : ''}${typeof id === 'string' ? `, correlation id ${id}` : ''}`;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');
  private lastUnavailableLog = 0;

  catch(error: unknown, host: ArgumentsHost): void {
    const problem = toProblem(error);
    if (problem.status === 503) {
      // An outage fails every request: say so once per retry period, not once per request.
      if (Date.now() - this.lastUnavailableLog > RETRY_AFTER_SECONDS * 1000) {
        this.lastUnavailableLog = Date.now();
        const what = problem.body.code === 'event_store_unavailable' ? 'event store' : 'database';
        this.logger.warn(`${what} unavailable: answering 503 with Retry-After`);
      }
    } else if (problem.status >= 500) {
      this.logger.error(internalErrorLine(error, host.switchToHttp().getRequest<Request>()));
    }
    const response = host.switchToHttp().getResponse<Response>();
    for (const [name, value] of Object.entries(problem.headers ?? {}))
      response.setHeader(name, value);
    response.status(problem.status).type('application/problem+json').json(problem.body);
  }
}
