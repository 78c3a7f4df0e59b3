import { AuditEntry } from '@app/security';
import { Env, loadConfig } from '@app/config';
import { RefusalLimiter, refusalLimitFrom } from './refusals';

const refusalLimitFromEnv = (env: Env) => refusalLimitFrom(loadConfig(env).auth);

describe('RefusalLimiter', () => {
  let now = 0;
  const lines: AuditEntry[] = [];
  const audit = { append: async (e: AuditEntry) => void lines.push(e) };
  const principal = { subject: 'kw-1', role: 'keyworker', authority: 'a', via: 'token' } as const;
  const limiter = () => new RefusalLimiter(audit as never, 3, () => now);

  beforeEach(() => {
    now = 1_000_000;
    lines.length = 0;
  });

  it('limits a caller after its budget of refusals, for the rest of the minute', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.limited('ip:x')).toBe(0);
      l.refused('ip:x');
    }
    expect(l.limited('ip:x')).toBe(60);
    expect(l.limited('ip:y')).toBe(0);
    now += 45_000;
    expect(l.limited('ip:x')).toBe(15);
    now += 15_000;
    expect(l.limited('ip:x')).toBe(0);
  });

  it('writes one audit line per burst, with the number of requests it limited', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.refused('subject:kw-1', principal);
    for (let i = 0; i < 7; i++) l.limited('subject:kw-1');
    await l.flush();
    expect(lines).toEqual([]); // the minute is not over yet
    now += 60_000;
    await l.flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ principal, status: 429, targetIds: ['limited:7'] });
    await l.flush(true);
    expect(lines).toHaveLength(1);
  });

  it('remembers an unknown API key for a minute', () => {
    const l = limiter();
    const key = `olk_${'a'.repeat(43)}`;
    expect(l.isUnknownKey(key)).toBe(false);
    l.rememberUnknownKey(key);
    expect(l.isUnknownKey(key)).toBe(true);
    expect(l.isUnknownKey(`olk_${'b'.repeat(43)}`)).toBe(false);
    now += 60_000;
    expect(l.isUnknownKey(key)).toBe(false);
  });

  it('reads its budget once from the environment, and refuses nonsense', () => {
    expect(refusalLimitFromEnv({})).toBe(300);
    expect(refusalLimitFromEnv({ REFUSALS_PER_MINUTE: '20' })).toBe(20);
    expect(refusalLimitFromEnv({ RATE_LIMIT: 'off' })).toBeUndefined();
    expect(() => refusalLimitFromEnv({ REFUSALS_PER_MINUTE: '0' })).toThrow(/whole/);
  });
});
