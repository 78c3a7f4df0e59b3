import { APP_CONFIG, AppConfig } from '@app/config';
import { AuditTrail, jwtSecretFrom } from '@app/security';
import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { AuthGuard, JWT_SECRET } from './auth.guard';
import { RateLimitGuard, rateLimitFrom } from './rate-limit';
import { RefusalLimiter, refusalLimitFrom } from './refusals';

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => rateLimitFrom(config.auth),
    }),
  ],
  providers: [
    {
      provide: JWT_SECRET,
      // Read once at start: a production API without AUTH_JWT_SECRET refuses to start.
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const { secret, source } = jwtSecretFrom(config);
        if (source !== 'AUTH_JWT_SECRET') {
          new Logger('auth').warn(`AUTH_JWT_SECRET is not set: tokens use the ${source}`);
        }
        return secret;
      },
    },
    // One writer per process, so concurrent requests share its group commits.
    {
      provide: AuditTrail,
      inject: [DataSource],
      useFactory: (db: DataSource) => new AuditTrail(db),
    },
    // Refused requests a minute per address and per subject, checked before authentication.
    {
      provide: RefusalLimiter,
      inject: [AuditTrail, APP_CONFIG],
      useFactory: (audit: AuditTrail, config: AppConfig) =>
        new RefusalLimiter(audit, refusalLimitFrom(config.auth)),
    },
    // Order matters: who the caller is, then how often they may call.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [JWT_SECRET, AuditTrail],
})
export class AuthModule {}
