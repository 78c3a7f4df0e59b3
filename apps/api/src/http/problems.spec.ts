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
        body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
      });
    }
  });

  it("turns the body parser's own 4xx into problems, not 500s", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
      type: 'entity.too.large',
    });
    expect(toProblem(tooLarge)).toMatchObject({
      status: 413,
      body: { statusCode: 413, message: 'the request body is too large' },
    });
    const broken = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      status: 400,
      expose: true,
      type: 'entity.parse.failed',
    });
    expect(toProblem(broken)).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'body', rule: 'entity.parse.failed' }] },
    });
  });
});
