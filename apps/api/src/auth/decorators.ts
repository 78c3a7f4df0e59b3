import { Permission, Principal } from '@app/security';
import {
  ExecutionContext,
  Get,
  SetMetadata,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { ApiProblems, RouteProblem } from '../docs/problems';

export const PERMISSION_KEY = 'outcomes:permission';
export const PUBLIC_KEY = 'outcomes:public';

/** The one permission an endpoint needs (see GRANTS in @app/security). */
export const Allow = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/**
 * A route in one line: its method (`Get`, `Post`, `Put`) and path, the one permission it needs
 * (`Allow`) and the errors it answers besides the shared ones (`ApiProblems`).
 */
export const Route = (
  method: (path?: string) => MethodDecorator,
  path: string | undefined,
  permission: Permission,
  ...problems: [RouteProblem, ...RouteProblem[]]
) => applyDecorators(method(path), Allow(permission), ApiProblems(...problems));

/** A figures route (outcomes, the chart, the summary, savings): a GET that needs `outcomes:read`. */
export const FiguresRoute = (path: string) => applyDecorators(Get(path), Allow('outcomes:read'));

/** Open to anonymous callers. Only /health (and the data-free API docs) may use it. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The verified caller, set on the request by the authentication guard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
