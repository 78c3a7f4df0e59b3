import { randomUUID } from 'node:crypto';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { Request } from 'express';

const SAFE = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The request's one correlation id: the caller's `X-Correlation-Id` when it is a safe token, else
 * a fresh one. Kept on the request so the events it records and its audit line share it.
 */
export function correlationIdOf(request: Request & { correlationId?: string }): string {
  if (!request.correlationId) {
    const given = request.headers['x-correlation-id'];
    request.correlationId = typeof given === 'string' && SAFE.test(given) ? given : randomUUID();
  }
  return request.correlationId;
}

export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext) =>
  correlationIdOf(context.switchToHttp().getRequest<Request>()),
);
