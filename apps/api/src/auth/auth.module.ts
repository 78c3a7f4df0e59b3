import { jwtSecretFromEnv } from '@app/security';
import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, JWT_SECRET } from './auth.guard';

@Global()
@Module({
  providers: [
    {
      provide: JWT_SECRET,
      // Read once at start: a production API without AUTH_JWT_SECRET refuses to start.
      useFactory: () => {
        const { secret, source } = jwtSecretFromEnv();
        if (source !== 'AUTH_JWT_SECRET') {
          new Logger('auth').warn(`AUTH_JWT_SECRET is not set: tokens use the ${source}`);
        }
        return secret;
      },
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [JWT_SECRET],
})
export class AuthModule {}
