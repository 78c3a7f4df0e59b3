import { DuplicateEventIdError } from '@app/event-store';
import { describeFailure } from './failure';

describe('describeFailure', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('is one line: the cause, and a hint for what an operator can fix', () => {
    const line = describeFailure(withCode('connect ECONNREFUSED 127.0.0.1:5999', 'ECONNREFUSED'));
    expect(line).toBe(
      'outcomes: connect ECONNREFUSED 127.0.0.1:5999 (hint: nothing answers at that address: is PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) running there?)',
    );
    expect(describeFailure(withCode('database "nope" does not exist', '3D000'))).toMatch(
      /createdb/,
    );
    expect(describeFailure(withCode("ENOENT: no such file, open 'x.csv'", 'ENOENT'))).toMatch(
      /check the path/,
    );
    expect(describeFailure(new DuplicateEventIdError('a-b'))).toMatch(/give the row a new id/);
  });

  it('finds the code under wrappers and keeps multi-line messages on one line', () => {
    const wrapped = Object.assign(new Error('query failed\n  detail'), {
      driverError: withCode('x', '28P01'),
    });
    const line = describeFailure(wrapped);
    expect(line).not.toContain('\n');
    expect(line).toMatch(/refused the password/);
    expect(
      describeFailure(new AggregateError([withCode('a', 'ECONNREFUSED')], 'all failed')),
    ).toMatch(/nothing answers/);
  });
});
