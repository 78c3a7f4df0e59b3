import { SetMetadata } from '@nestjs/common';

export const PROBLEMS_KEY = 'outcomes:problems';

/** Route-specific errors a handler can answer, besides the ones every route shares. */
export type RouteProblem = 404 | 409 | 412;

/**
 * Declares, in the OpenAPI document, the errors this route answers besides the shared ones (the
 * document adds 400 where it takes input, 413 where it takes a body, 401/403 where it needs a
 * caller, 429 and 503 everywhere), e.g. `@ApiProblems(404, 409)`.
 */
export const ApiProblems = (...statuses: RouteProblem[]) => SetMetadata(PROBLEMS_KEY, statuses);
