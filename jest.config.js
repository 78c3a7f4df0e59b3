// One config, three kinds of test told apart by suffix (see README): *.spec.ts unit,
// *.int-spec.ts integration (real PostgreSQL/Redis), test/*.e2e-spec.ts end to end over HTTP.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  moduleNameMapper: {
    '^@app/(domain|event-store|projections|read-models|outcomes|workload|follow-ups|recording|security|returns|savings|observability|config)(/.*)?$':
      '<rootDir>/libs/$1/src$2',
  },
};
module.exports = {
  // Real databases and processes: a loaded 2-core machine can take seconds where a quiet one
  // takes milliseconds, so the default 5 s would fail tests for the machine, not the code.
  // (Jest reads this from the top level only: inside a project it is ignored.)
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
