import { Controller, Get, INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AuditTrail, Principal, issueToken } from '@app/security';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProblemFilter } from '../http/problems';
import { AuthGuard, JWT_SECRET } from './auth.guard';
import { Allow, CurrentPrincipal, Public } from './decorators';

const SECRET = 'a-secret-for-the-guard-unit-test-0123456789';

@Controller('probe')
class ProbeController {
  @Get('open')
  @Public()
  open() {
    return { ok: true };
  }

  @Get('audit')
  @Allow('audit:read')
  audit(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  // Neither @Allow nor @Public: must be refused to everyone.
  @Get('forgotten')
  forgotten() {
    return { leaked: true };
  }
}

describe('AuthGuard', () => {
  let app: INestApplication;
  const audit = jest.fn(async (_sql: string, _args: unknown[]) => []);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const tokenFor = (role: Principal['role'], authority: string | null, secret = SECRET) =>
    issueToken(secret, { subject: `${role}-1`, role, authority });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: JWT_SECRET, useValue: SECRET },
        // Bearer tokens never touch the database; a refusal's audit line does.
        { provide: DataSource, useValue: { query: audit } },
        { provide: AuditTrail, useValue: new AuditTrail({ query: audit }) },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('lets anyone reach a public route', async () => {
    const res = await request(app.getHttpServer()).get('/probe/open');
    expect(res.status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate when no credentials are sent', async () => {
    const res = await request(app.getHttpServer()).get('/probe/audit');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it.each([
    ['another key', () => tokenFor('admin', null, 'some-other-secret-of-enough-length-0000')],
    [
      'an expired token',
      () =>
        issueToken(
          SECRET,
          { subject: 'admin-1', role: 'admin', authority: null },
          { now: new Date(Date.now() - 3_600_000), expiresInSeconds: 60 },
        ),
    ],
    ['alg none', () => jwt.sign({ role: 'admin', authority: null }, '', { algorithm: 'none' })],
    [
      'no expiry',
      () =>
        jwt.sign({ role: 'admin', authority: null }, SECRET, {
          subject: 'admin-1',
          issuer: 'outcomes-ledger',
          audience: 'outcomes-ledger-api',
        }),
    ],
    [
      'an unknown role',
      () =>
        jwt.sign({ role: 'root', authority: null }, SECRET, {
          subject: 'x',
          issuer: 'outcomes-ledger',
          audience: 'outcomes-ledger-api',
          expiresIn: 60,
        }),
    ],
    ['garbage', () => 'not.a.token'],
  ])('refuses %s with 401 invalid_token', async (_, make) => {
    const res = await request(app.getHttpServer()).get('/probe/audit').set(bearer(make()));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('refuses a scheme other than Bearer', async () => {
    const res = await request(app.getHttpServer())
      .get('/probe/audit')
      .set('authorization', `Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(res.status).toBe(401);
  });

  it('answers 403 naming the permission a role lacks', async () => {
    const res = await request(app.getHttpServer())
      .get('/probe/audit')
      .set(bearer(tokenFor('keyworker', 'leeds')));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, permission: 'audit:read' });
    const [sql, args] = audit.mock.calls[audit.mock.calls.length - 1];
    expect(sql).toMatch(/INSERT INTO audit_log/);
    expect(JSON.parse(args[0] as string)).toEqual([
      expect.objectContaining({
        subject: 'keyworker-1',
        role: 'keyworker',
        authority: 'leeds',
        status: 403,
      }),
    ]);
  });

  it('hands the verified principal to the handler', async () => {
    const res = await request(app.getHttpServer())
      .get('/probe/audit')
      .set(bearer(tokenFor('admin', null)));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'admin-1', role: 'admin', authority: null, via: 'token' });
  });

  it('refuses a route that declares no permission, whoever calls it (default deny)', async () => {
    for (const role of ['keyworker', 'manager', 'data_manager'] as const) {
      const res = await request(app.getHttpServer())
        .get('/probe/forgotten')
        .set(bearer(tokenFor(role, 'leeds')));
      expect(res.status).toBe(403);
      expect(res.body.leaked).toBeUndefined();
    }
    const admin = await request(app.getHttpServer())
      .get('/probe/forgotten')
      .set(bearer(tokenFor('admin', null)));
    expect(admin.status).toBe(403);
  });
});
