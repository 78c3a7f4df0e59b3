import { AuditEntry, AuditTrail } from '@app/security';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { correlationIdOf } from '../http/correlation';
import { toProblem } from '../http/problems';

type Body = Record<string, unknown> | undefined;

/** Ids a request touched: from its path and from what it answered (a page, a batch). */
function targets(request: AuthenticatedRequest, body: Body) {
  const familyIds: string[] = [];
  const targetIds: string[] = [];
  const take = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    const { familyId, followUpId } = o as { familyId?: unknown; followUpId?: unknown };
    if (typeof familyId === 'string') familyIds.push(familyId);
    if (typeof followUpId === 'string') targetIds.push(followUpId);
  };
  take(request.params);
  take(body);
  for (const list of [body?.items, body?.results]) if (Array.isArray(list)) list.forEach(take);
  return { familyIds, targetIds };
}

/**
 * Every authenticated request leaves one line in `audit_log` (who, role, authority, route,
 * family ids, status, correlation id), written before the answer goes out: a read whose audit
 * line cannot be written is not answered. Refusals by the guard are written by the guard.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditTrail) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (context.getType() !== 'http' || !principal) return next.handle();
    const succeeded =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      (request.method === 'POST' ? 201 : 200);
    const write = (status: number, body?: Body) =>
      this.audit.append(auditEntry(request, status, body));
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        await write(succeeded, typeof body === 'object' ? (body as Body) : undefined);
        return body;
      }),
      catchError((error: unknown) =>
        from(write(toProblem(error).status)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}

export function auditEntry(request: AuthenticatedRequest, status: number, body?: Body): AuditEntry {
  return {
    principal: request.principal!,
    method: request.method,
    route: (request.route as { path?: string } | undefined)?.path ?? request.path,
    ...targets(request, body),
    status,
    correlationId: correlationIdOf(request),
  };
}
