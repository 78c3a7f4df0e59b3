import { STATUS_CODES } from 'node:http';
import { ConflictException, NotFoundException } from '@nestjs/common';
import { RequestInvalid } from '@app/recording';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, toProblem } from './problems';

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

  it('answers every problem in RFC 9457 shape, whose status is always the HTTP status', () => {
    for (const error of [
      new RequestInvalid([{ field: 'type', rule: 'isIn', message: 'type must be one of …' }]),
      new ConflictException({ code: 'x', status: 'pending', message: 'not yet' }),
      new NotFoundException(),
      withCode('ECONNREFUSED'),
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
