import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { Request, Response } from 'express';

/** Whether an `Accept` header asks for CSV. */
export const wantsCsv = (accept?: string) => !!accept && /\btext\/csv\b/i.test(accept);

/** The CSV side of a route that answers JSON, or CSV to a caller whose `Accept` asks for it. */
export interface CsvReply {
  /** The caller asked for `text/csv`. */
  readonly wanted: boolean;
  /** Answers `text` as `text/csv`, with the next page's cursor (if any) in `X-Next-Cursor`. */
  send(text: string, nextCursor?: string | null): string;
}

/** The route's `CsvReply`, from the request's `Accept` header. */
export const Csv = createParamDecorator((_: unknown, context: ExecutionContext): CsvReply => {
  const http = context.switchToHttp();
  const res = http.getResponse<Response>();
  return {
    wanted: wantsCsv(http.getRequest<Request>().headers.accept),
    send: (text, nextCursor) => {
      res.type('text/csv');
      if (nextCursor) res.setHeader('X-Next-Cursor', nextCursor);
      return text;
    },
  };
});
