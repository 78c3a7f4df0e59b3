import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestSchema } from '@app/event-store/testing';
import request from 'supertest';
import { as } from './support/auth';
import { referralBody } from './support/stories';
import { exited } from './support/worker';

/**
 * The built API's own log (stdout, JSON lines): one line per request with the correlation id,
 * and nothing of the credentials or the body.
 */

const API = join(__dirname, '..', 'dist', 'apps', 'api', 'src', 'main.js');
const SECRET_KEY = 'ak_live_do_not_log_91b2';
const BODY_MARKER = 'logtest_body_only_x9';

let schema: Awaited<ReturnType<typeof createTestSchema>>;
let api: ChildProcess;
let base: string;
const lines: Record<string, unknown>[] = [];
let raw = '';

beforeAll(async () => {
  if (!existsSync(API)) throw new Error(`${API} is missing: run npm run build first`);
  schema = await createTestSchema('logs');
  api = spawn(process.execPath, [API], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATABASE_URL: schema.config.url,
      DATABASE_SCHEMA: schema.config.schema,
      EVENT_STORE: 'postgres',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise<string>((resolve, reject) => {
    let pending = '';
    api.stdout!.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const part of parts) {
        const line = JSON.parse(part) as Record<string, unknown>; // every line is JSON
        lines.push(line);
        const url = /^listening on (http:\S+)$/.exec(String(line.msg))?.[1];
        if (url) resolve(url);
      }
    });
    api.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening`)));
  });
}, 60_000);

afterAll(async () => {
  if (api && api.exitCode === null) {
    api.kill('SIGTERM');
    await exited(api);
  }
  await schema?.drop();
});

/** The request's log line, as soon as the API has written it. */
function requestLine(correlationId: string): Promise<Record<string, unknown>> {
  const match = (l: Record<string, unknown>) =>
    l.correlationId === correlationId && l.msg === 'request completed';
  const found = lines.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const check = () => {
      const line = lines.find(match);
      if (line) {
        api.stdout!.off('data', check);
        resolve(line);
      }
    };
    // Listeners run in order, so the parser above has already added the new lines.
    api.stdout!.on('data', check);
  });
}

describe('structured request logs', () => {
  it('logs the request with the caller’s correlation id and echoes it, without credentials or body', async () => {
    const auth = as('keyworker', BODY_MARKER, 'kw-log-1'); // a referral into one's own authority
    const token = auth.authorization.replace(/^Bearer /, '');
    const res = await request(base)
      .post('/v1/families')
      .set(auth)
      .set('X-Api-Key', SECRET_KEY)
      .set('Cookie', `session=${SECRET_KEY}`)
      .set('X-Correlation-Id', 'corr-log-test-1')
      .send(referralBody(BODY_MARKER));
    expect(res.headers['x-correlation-id']).toBe('corr-log-test-1');
    const line = await requestLine('corr-log-test-1');
    expect(line).toMatchObject({
      level: 'info',
      service: 'api',
      req: { method: 'POST', url: '/v1/families' },
      res: { statusCode: res.status },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(res.status).toBe(201);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(SECRET_KEY);
    expect(raw).not.toContain(BODY_MARKER);
    expect(raw.toLowerCase()).not.toContain('authorization');
  });

  it('makes up a correlation id when there is none or it is not a plain token', async () => {
    const none = await request(base).get('/v1/families/not-a-uuid').set(as('keyworker', 'leeds'));
    const generated = none.headers['x-correlation-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(await requestLine(generated)).toMatchObject({
      level: 'info',
      res: { statusCode: none.status },
    });

    const junk = await request(base)
      .get('/v1/outcomes')
      .set(as('keyworker', 'leeds'))
      .set('X-Correlation-Id', 'has spaces <and> "quotes"');
    expect(junk.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    await requestLine(junk.headers['x-correlation-id']);
  });

  it('blanks a token a client put in the query string (refused, 401) from the request line', async () => {
    const token = as('keyworker', 'leeds').authorization.replace(/^Bearer /, '');
    const res = await request(base)
      .get('/v1/families')
      .query({ access_token: token, programme: 'fip' })
      .set('X-Correlation-Id', 'corr-log-query-token');
    expect(res.status).toBe(401);
    const line = await requestLine('corr-log-query-token');
    expect(line).toMatchObject({
      req: { method: 'GET', url: '/v1/families?access_token=%5Bredacted%5D&programme=fip' },
    });
    expect(raw).not.toContain(token);
  });
});
