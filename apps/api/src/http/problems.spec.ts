import { STATUS_CODES } from 'node:http';
import { ConflictException, NotFoundException } from '@nestjs/common';
import { RequestInvalid } from '@app/recording';
import { QueryFailedError } from 'typeorm';
import { ArgumentsHost, Logger } from '@nestjs/common';
import { AppendTooLargeError, EventStoreUnavailableError } from '@app/event-store';
import { ProblemFilter, RETRY_AFTER_SECONDS, isDatabaseUnavailable, toProblem } from './problems';

describe('problems', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('answers 503 with Retry-After when the database cannot be reached or is saturated', () => {
    for (const error of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('08006'),
      withCode('53300', 'sorry, too many clients already'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new QueryFailedError('SELECT 1', [], withCode('ECONNREFUSED')),
      new AggregateError([withCode('ECONNREFUSED')]),
    ]) {
      const problem = toProblem(error);
      expect(problem.status).toBe(503);
      expect(problem.headers).toEqual({ 'Retry-After': '5' });
      expect(problem.body).toMatchObject({ code: 'database_unavailable' });
    }
  });

  it('keeps refused queries and bugs as 500 without details', () => {
    for (const error of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('42P01', 'relation "nope" does not exist'),
      new TypeError('cannot read properties of undefined'),
      'a thrown string',
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(toProblem(error)).toEqual({
        status: 500,
        body: {
          statusCode: 500,
          error: 'Internal Server Error',
          message: 'internal error',
          type: 'about:blank',
          title: 'Internal Server Error',
          status: 500,
          detail: 'internal error',
        },
      });
    }
  });

  it("turns the body parser's own 4xx into problems, not 500s", () => {
    for (const [status, type] of [
      [413, 'entity.too.large'],
      [400, 'entity.parse.failed'],
    ] as const) {
      const error = Object.assign(new Error('refused'), {
        status,
        statusCode: status,
        expose: true,
        type,
      });
      expect(toProblem(error)).toMatchObject({ status, body: { statusCode: status } });
    }
  });

  it('logs an unexpected error by class, code and correlation id, never its text', () => {
    const logged: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void logged.push(String(message)));
    const response = {
      status: () => response,
      type: () => response,
      json: () => response,
      setHeader: () => response,
    };
    const host = {
      switchToHttp: () => ({
        getRequest: () => ({ headers: { 'x-correlation-id': 'corr-500' } }),
        getResponse: () => response,
      }),
    } as unknown as ArgumentsHost;
    try {
      const refused = new QueryFailedError(
        'SELECT 1',
        [],
        withCode('22P02', 'invalid input syntax for type uuid: "Jane Smith 0x00"'),
      );
      new ProblemFilter().catch(refused, host);
      new ProblemFilter().catch(new TypeError('cannot read "Jane Smith"'), host);
    } finally {
      spy.mockRestore();
    }
    expect(logged).toEqual([
      'internal error: QueryFailedError (code 22P02), correlation id corr-500',
      'internal error: TypeError, correlation id corr-500',
    ]);
  });
});

describe('problems: the event store', () => {
  it('answers 503 with Retry-After when the event store is unavailable', () => {
    const p = toProblem(new EventStoreUnavailableError('unavailable', new Error('14 UNAVAILABLE')));
    expect(p.status).toBe(503);
    expect(p.headers).toEqual({ 'Retry-After': String(RETRY_AFTER_SECONDS) });
    expect(p.body).toMatchObject({ code: 'event_store_unavailable' });
  });

  it('answers 413 naming the limit for an append the store would refuse', () => {
    const p = toProblem(new AppendTooLargeError(2_000_000, 1_048_576));
    expect(p.status).toBe(413);
    expect(p.body).toMatchObject({ code: 'append_too_large', limitBytes: 1_048_576 });
    expect(String(p.body.message)).toContain('1048576 bytes');
  });
});

describe('problems: RFC 9457', () => {
  it('answers every problem in RFC 9457 shape, whose status is always the HTTP status', () => {
    for (const error of [
      new RequestInvalid([{ field: 'type', rule: 'isIn', message: 'type must be one of …' }]),
      new ConflictException({ code: 'x', status: 'pending', message: 'not yet' }),
      new NotFoundException(),
      Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      new Error('a bug'),
    ]) {
      const { status, body } = toProblem(error);
      expect(body).toMatchObject({
        type: 'about:blank',
        title: STATUS_CODES[status],
        status,
        detail: expect.any(String),
      });
    }
  });
});
