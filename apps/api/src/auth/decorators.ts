import { Permission, Principal } from '@app/security';
import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';

export const PERMISSION_KEY = 'outcomes:permission';
export const PUBLIC_KEY = 'outcomes:public';

/** The one permission an endpoint needs (see GRANTS in @app/security). */
export const Allow = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/** Open to anonymous callers. Only /health (and the data-free API docs) may use it. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The verified caller, set on the request by the authentication guard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
