import { STATUS_CODES } from 'node:http';
import { DomainError } from '@app/domain';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '@app/event-store';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { Response } from 'express';
import { FamilyExists, FamilyNotFound, OutsideAuthority } from '@app/recording';

export interface Problem {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One mapping from failures to HTTP answers, used by the filter and by the batch endpoint for each
 * item: 400 names the field and rule, 404 an unknown family, 409 the broken invariant or the
 * revision conflict. Anything else is a 500 without details (never a stack trace).
 */
export function toProblem(error: unknown): Problem {
  const problem = (status: number, body: Record<string, unknown>): Problem => ({
    status,
    body: { statusCode: status, error: STATUS_CODES[status] ?? 'Error', ...body },
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
    // The JSON body parser's refusals: 413 too large, 400 malformed, 415 unsupported charset.
    return problem(error.status, { message: error.message });
  }
  return problem(500, { message: 'internal error' });
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

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      // The error's name and message only: request bodies may hold personal data.
      this.logger.error(
        error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error',
      );
    }
    host.switchToHttp().getResponse<Response>().status(problem.status).json(problem.body);
  }
}
