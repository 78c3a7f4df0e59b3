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
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Request, Response } from 'express';
import { auditEntry } from '../audit/audit.interceptor';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators';

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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request, http.getResponse<Response>());
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

  private async authenticate(request: Request, response: Response): Promise<Principal> {
    try {
      const authorization = request.headers.authorization;
      if (authorization !== undefined) {
        const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
        if (scheme.toLowerCase() !== 'bearer' || !token || rest.length) {
          throw new InvalidCredentials('the Authorization header must be "Bearer <token>"');
        }
        return verifyToken(this.secret, token);
      }
      const key = request.headers['x-api-key'];
      if (key !== undefined) {
        const principal =
          typeof key === 'string' ? await principalForApiKey(this.db, key) : undefined;
        if (!principal) throw new InvalidCredentials('the API key is not valid');
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
