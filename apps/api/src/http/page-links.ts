import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';

/**
 * Keyset pages (`{ items, nextCursor }`) also say where the next page is the way HTTP clients
 * follow pages: `Link: <same path and query, with cursor=nextCursor>; rel="next"` (RFC 8288),
 * relative to the request. Every GET that answers a page gets it, whichever controller it is in.
 */
@Injectable()
export class PageLinks implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    return next.handle().pipe(
      tap((body: unknown) => {
        const cursor = (body as { nextCursor?: unknown } | null)?.nextCursor;
        if (request.method !== 'GET' || typeof cursor !== 'string') return;
        const response = http.getResponse<Response>();
        if (!response.headersSent)
          response.setHeader('Link', nextLink(request.originalUrl, cursor));
      }),
    );
  }
}

/** `<url with cursor replaced>; rel="next"` for a request's path and query. */
export function nextLink(originalUrl: string, cursor: string): string {
  const url = new URL(originalUrl, 'http://relative.invalid');
  url.searchParams.set('cursor', cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}
