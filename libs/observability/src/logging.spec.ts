import { Writable } from 'node:stream';
import { correlationId, createLogger } from './logging';

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
