import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { Request, Response } from 'express';
import { projectionCheckpoints } from '@app/projections';
import { DataSource } from 'typeorm';

/**
 * The event-store position the read models of `projections` have all applied: every event up to
 * and including it is in them. Read before an answer's figures, it is the CSV's `position` (an
 * event applied while the figures are read may be counted too).
 */
export async function readModelsPosition(
  db: DataSource,
  projections: readonly string[],
): Promise<string> {
  const checkpoints = await projectionCheckpoints(db);
  const at = projections.map((p) => checkpoints.get(p) ?? 0n);
  return at.reduce((a, b) => (b < a ? b : a)).toString();
}

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
