// Every test process (and the worker/CLI processes tests spawn, which inherit it) signs and
// verifies tokens with this one key; see test/support/auth.ts.
process.env.AUTH_JWT_SECRET = 'test-only-secret-for-outcomes-ledger-tests-0123456789';
