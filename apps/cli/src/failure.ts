import { DuplicateEventIdError, WrongExpectedRevisionError } from '@app/event-store';

/** The code of an error or of what caused it (pg, node and TypeORM wrap each other). */
function codeOf(error: unknown): string {
  const seen = new Set<unknown>();
  let e = error as { code?: unknown; driverError?: unknown; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    if (typeof e.code === 'string') return e.code;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  if (error instanceof AggregateError) return codeOf(error.errors[0]);
  return '';
}

const HINTS: Record<string, string> = {
  ECONNREFUSED:
    'nothing answers at that address: is PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) running there?',
  ENOTFOUND: 'the host name in DATABASE_URL or REDIS_URL does not resolve',
  ETIMEDOUT: 'the database did not answer in time: check DATABASE_URL and the network',
  '3D000':
    'the database in DATABASE_URL does not exist: create it (createdb) or point DATABASE_URL at one',
  '28P01': 'PostgreSQL refused the password in DATABASE_URL',
  '28000': 'PostgreSQL refused the role in DATABASE_URL',
  ENOENT: 'no such file: check the path',
  EACCES: 'permission denied: check the file or directory permissions',
  EISDIR: 'that is a directory, not a file',
};

/**
 * One line for an operator: what failed, and what to do about it. Never a stack trace, never the
 * configuration itself (DATABASE_URL may hold a password).
 */
export function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? error.message : String(error);
  let hint = HINTS[codeOf(error)];
  if (!hint && error instanceof DuplicateEventIdError) {
    hint = 'that event id is already used by a different event; give the row a new id';
  }
  if (!hint && error instanceof WrongExpectedRevisionError) {
    hint = 'the family changed while this ran; run the command again';
  }
  const line = `outcomes: ${cause.replace(/\s*\n\s*/g, ' ')}`;
  return hint ? `${line} (hint: ${hint})` : line;
}
