import { KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Principal } from './roles';
import { PrincipalClaims, principalProblem } from './principal';

const ISSUER = 'outcomes-ledger';
const AUDIENCE = 'outcomes-ledger-api';
/** Short-lived by default: a leaked token is worth little for long. */
export const DEFAULT_TOKEN_TTL_SECONDS = 15 * 60;
/** The longest a token may live (an operator's working day): `exp − iat` of every token accepted. */
export const MAX_TOKEN_TTL_SECONDS = 12 * 60 * 60;
/** How far ahead of this server's clock a token's `iat` may be (the issuer's clock may run fast). */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/** A token or key that does not prove who the caller is (the message is safe to return). */
export class InvalidCredentials extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'invalid' | 'expired' = 'invalid',
  ) {
    super(message);
    this.name = 'InvalidCredentials';
  }
}

/** A signed bearer token (JWT, HS256) for this subject, role and authority. */
export function issueToken(
  secret: string,
  claims: PrincipalClaims,
  options: { expiresInSeconds?: number; now?: Date } = {},
): string {
  const problem = principalProblem(claims);
  if (problem) throw new RangeError(problem);
  const ttl = options.expiresInSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`expiry must be 1 to ${MAX_TOKEN_TTL_SECONDS} seconds`);
  }
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return jwt.sign({ role: claims.role, authority: claims.authority, iat, exp: iat + ttl }, secret, {
    algorithm: 'HS256',
    subject: claims.subject,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
}

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries to parse it as a
 * public key and fails, which cost ~3 ms of CPU on every request (seen in bench:http's profile).
 */
const keys = new Map<string, KeyObject>();
function secretKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret));
    keys.set(secret, key);
  }
  return key;
}

/**
 * The principal a token proves, or InvalidCredentials: bad signature, expired, malformed, or outside
 * the lifetime policy (`iat` and `exp` required, `exp − iat` at most MAX_TOKEN_TTL_SECONDS, `iat`
 * no further ahead than TOKEN_CLOCK_SKEW_SECONDS). The policy holds whoever signed the token: a
 * token made with the right key by other means than `issueToken` gets no longer life.
 */
export function verifyToken(secret: string, token: string, now = new Date()): Principal {
  let payload: jwt.JwtPayload | string;
  try {
    // The algorithm is pinned: a token cannot choose `none` or another key type.
    payload = jwt.verify(token, secretKey(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) {
      throw new InvalidCredentials('the token has expired', 'expired');
    }
    throw new InvalidCredentials('the token is not valid');
  }
  if (
    typeof payload === 'string' ||
    typeof payload.exp !== 'number' ||
    typeof payload.iat !== 'number'
  ) {
    // A token without an expiry would be good forever; without an issue time, its life is unknown.
    throw new InvalidCredentials('the token is not valid');
  }
  if (payload.exp - payload.iat > MAX_TOKEN_TTL_SECONDS) {
    throw new InvalidCredentials(`the token lives longer than ${MAX_TOKEN_TTL_SECONDS} seconds`);
  }
  if (payload.iat > now.getTime() / 1000 + TOKEN_CLOCK_SKEW_SECONDS) {
    throw new InvalidCredentials('the token is issued in the future');
  }
  const claims = { subject: payload.sub, role: payload.role, authority: payload.authority };
  if (principalProblem(claims)) throw new InvalidCredentials('the token is not valid');
  return { ...(claims as PrincipalClaims), via: 'token' };
}
