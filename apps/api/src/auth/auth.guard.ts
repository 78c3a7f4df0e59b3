import {
  InvalidCredentials,
  Permission,
  AuditTrail,
  Principal,
  can,
  principalForApiKey,
  verifyToken,
} from '@app/security';
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Request, Response } from 'express';
import { auditEntry } from '../audit/audit.interceptor';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators';
import { RefusalLimiter } from './refusals';

/** Injection token of the key bearer tokens are signed with. */
export const JWT_SECRET = Symbol('JwtSecret');

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Every request passes here (APP_GUARD). Public routes pass; every other route needs a verified
 * caller (bearer token or `X-Api-Key`) whose role has the route's one `@Allow` permission. A
 * route that declares neither is refused (default deny), so a forgotten annotation fails closed.
 * Credentials are never logged.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly db: DataSource,
    private readonly audit: AuditTrail,
    @Inject(JWT_SECRET) private readonly secret: string,
    // Optional: without one (a unit test's module), nothing is limited.
    @Optional() private readonly refusals: RefusalLimiter = RefusalLimiter.off(),
  ) {}

  /** 429 with Retry-After, before anything costly: the caller is over its refusal budget. */
  private tooMany(response: Response, seconds: number): never {
    response.setHeader('Retry-After', String(seconds));
    throw new HttpException(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many refused requests; retry in ${seconds} s`,
      },
      429,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    const address = `ip:${request.ip}`;
    const over = this.refusals.limited(address);
    let principal: Principal;
    try {
      principal = await this.authenticate(request, response, over > 0);
    } catch (error) {
      if (over) this.tooMany(response, over);
      if (error instanceof UnauthorizedException) this.refusals.refused(address);
      throw error;
    }
    request.principal = principal;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(
      PERMISSION_KEY,
      targets,
    );
    if (!permission) {
      await this.audit.append(auditEntry(request, 403));
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: 'this endpoint declares no permission, so nobody may call it',
      });
    }
    if (!can(principal, permission)) {
      const subject = `subject:${principal.subject}`;
      // Over the budget: one audit line for the whole burst (RefusalLimiter), not one each.
      const wait = this.refusals.limited(subject);
      if (wait) this.tooMany(response, wait);
      this.refusals.refused(subject, principal);
      // A refused attempt is part of the trail too.
      await this.audit.append(auditEntry(request, 403));
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: `the ${principal.role} role lacks the ${permission} permission`,
        permission,
      });
    }
    return true;
  }

  /**
   * The caller the credentials prove. `overBudget`: the address is over its refusal budget, so
   * only a bearer token (checked in memory) is tried; anything else is refused without work.
   */
  private async authenticate(
    request: Request,
    response: Response,
    overBudget: boolean,
  ): Promise<Principal> {
    try {
      const authorization = request.headers.authorization;
      if (overBudget && authorization === undefined) {
        throw new InvalidCredentials('too many refused requests from this address');
      }
      if (authorization !== undefined) {
        const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
        if (scheme.toLowerCase() !== 'bearer' || !token || rest.length) {
          throw new InvalidCredentials('the Authorization header must be "Bearer <token>"');
        }
        return verifyToken(this.secret, token);
      }
      const key = request.headers['x-api-key'];
      if (key !== undefined) {
        const known = typeof key === 'string' && !this.refusals.isUnknownKey(key);
        const principal = known ? await principalForApiKey(this.db, key) : undefined;
        if (!principal) {
          if (known) this.refusals.rememberUnknownKey(key);
          throw new InvalidCredentials('the API key is not valid');
        }
        return principal;
      }
      throw new InvalidCredentials(
        'authentication required: a bearer token or an X-Api-Key',
        'missing',
      );
    } catch (error) {
      if (!(error instanceof InvalidCredentials)) throw error;
      // RFC 6750: say which scheme, and why a presented token failed.
      response.setHeader(
        'WWW-Authenticate',
        error.reason === 'missing'
          ? 'Bearer realm="outcomes-ledger"'
          : `Bearer realm="outcomes-ledger", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
      );
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: error.message,
      });
    }
  }
}
