/** `outcomes token` and `outcomes apikey`: credentials for people and for systems. */
import { ROLES, Role, createApiKey, issueToken, jwtSecretFrom, revokeApiKey } from '@app/security';
import { namesNational } from '@app/domain';
import { InvalidArgumentError } from 'commander';
import { DataSource } from 'typeorm';
import { cliConfig } from './config';

export const role = (value: string): Role => {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of: ${ROLES.join(', ')}`);
  }
  return value as Role;
};

/**
 * `--authority national` means all authorities (commander cannot carry a null option value), for
 * tokens and keys alike; whether the role may hold it is the principal rule's to say.
 */
const national = (value: string): string | null => (namesNational(value) ? null : value);

/** `900`, `900s`, `15m`, `2h` → seconds. */
export const duration = (value: string): number => {
  const m = /^(\d+)([smh]?)$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be seconds, or minutes/hours like 15m or 2h');
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[m[2] as '' | 's' | 'm' | 'h'];
};

/** A bearer token signed with the API's key (AUTH_JWT_SECRET, or the development secret file). */
export function token(o: {
  role: Role;
  authority: string;
  subject?: string;
  expiresIn?: number;
}): string {
  return issueToken(
    jwtSecretFrom(cliConfig()).secret,
    {
      role: o.role,
      authority: national(o.authority),
      subject: o.subject ?? `${o.role}.${o.authority}`,
    },
    { expiresInSeconds: o.expiresIn },
  );
}

export const apiKey = (db: DataSource, o: { role: Role; authority: string; label: string }) =>
  createApiKey(db, { ...o, authority: national(o.authority) });

export const revoke = (db: DataSource, id: string) => revokeApiKey(db, id);
