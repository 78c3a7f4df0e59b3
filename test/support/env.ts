// Every test process (and the worker/CLI processes tests spawn, which inherit it) signs and
// verifies tokens with this one key; see test/support/auth.ts.
process.env.AUTH_JWT_SECRET = 'test-only-secret-for-outcomes-ledger-tests-0123456789';
// The master key that wraps each family's data key (personal data), likewise fixed for tests.
process.env.PII_MASTER_KEY = 'a1'.repeat(32);
