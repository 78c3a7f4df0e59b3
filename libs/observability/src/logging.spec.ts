import { Writable } from 'node:stream';
import { correlationId, createLogger, redactUrl } from './logging';

describe('correlationId', () => {
  it("keeps a caller's plain token", () => {
    expect(correlationId('req-2025.01:abc_9')).toBe('req-2025.01:abc_9');
    expect(correlationId(['first-id', 'second-id'])).toBe('first-id');
  });

  it.each([undefined, '', 'has space', 'new\nline', '<script>', 'x'.repeat(129)])(
    'makes up a UUID for %j',
    (header) => {
      expect(correlationId(header)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    },
  );
});

describe('createLogger', () => {
  it('writes JSON lines with the service and blanks credentials and bodies', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('worker', sink);
    logger.warn(
      {
        req: {
          headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'olk_secret' },
          body: { name: 'A Person' },
        },
      },
      'careless',
    );
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', service: 'worker', msg: 'careless' });
    expect(lines[0]).not.toMatch(/abc\.def\.ghi|olk_secret|A Person/);
    expect(line.req).toEqual({
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' },
      body: '[redacted]',
    });
  });
});

describe('redactUrl', () => {
  it.each([
    ['/v1/families?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'access_token'],
    ['/v1/families?limit=5&token=abc123', 'token'],
    ['/v1/audit?api_key=olk_abcdef', 'api_key'],
    ['/v1/audit?X-Api-Key=secretvalue', 'X-Api-Key'],
    ['/v1/families?q=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'q'],
    ['/v1/families?programme=olk_0123456789abcdef', 'programme'],
  ])('blanks the credential in %s', (url, param) => {
    const redacted = redactUrl(url);
    expect(redacted).not.toMatch(/eyJ|olk_|abc123|secretvalue/);
    expect(new URLSearchParams(redacted.split('?')[1]).get(param)).toBe('[redacted]');
  });

  it('keeps paths and ordinary filters as they are', () => {
    expect(redactUrl('/v1/families/1b2c?authority=leeds&programme=fip&limit=5')).toBe(
      '/v1/families/1b2c?authority=leeds&programme=fip&limit=5',
    );
    expect(redactUrl('/v1/outcomes')).toBe('/v1/outcomes');
  });
});
