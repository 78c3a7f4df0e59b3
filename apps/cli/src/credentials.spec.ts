import { apiKey, token } from './credentials';

/** `outcomes token` and `outcomes apikey create`: "national" is a scope only some roles may hold. */
describe('CLI credentials', () => {
  // The database is never reached: the principal rule refuses first.
  const noDatabase = undefined as never;

  it.each(['keyworker', 'manager', 'data_manager'] as const)(
    "refuses a %s API key or token scoped 'national', in any letter case",
    async (role) => {
      for (const authority of ['national', 'National', 'NATIONAL']) {
        await expect(apiKey(noDatabase, { role, authority, label: 'sync' })).rejects.toThrow(
          RangeError,
        );
        expect(() => token({ role, authority })).toThrow(RangeError);
      }
    },
  );

  it('issues national tokens to evaluators and admins', () => {
    expect(token({ role: 'evaluator', authority: 'national' })).toMatch(/^ey/);
    expect(token({ role: 'admin', authority: 'National' })).toMatch(/^ey/);
  });
});
